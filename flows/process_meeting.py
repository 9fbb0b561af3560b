"""Prefect flow: one consented meeting end to end, one task per stage.

Run: python flows/process_meeting.py MANIFEST MEETING_ID [--db PATH]

The stages and their order are the library's (`dialogic.compute`, stored by `dialogic.pipeline`,
the same ones `dialogic process` runs); this flow only runs each as a Prefect task, retrying the
stages that do I/O (hash, decode, store) on file-system and database I/O errors, never on a bad
recording or a bug (`dialogic.prefect_tasks`). Prefect uses its local ephemeral API; no server
needs starting. Task results are not persisted: they hold health data, and the only store for it
is the DuckDB file.
"""

from __future__ import annotations

import argparse
import sys

from prefect import flow

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import db, manifest, pipeline
from dialogic.options import PipelineOptions
from dialogic.prefect_tasks import call_as_task


@flow(name="process-meeting", log_prints=False)
def process_meeting_flow(
    meeting: manifest.MeetingSpec,
    db_path: str,
    options: PipelineOptions = PipelineOptions(),
    manifest_path: str | None = None,
) -> str:
    """Consent gate → hash → decode → transcribe and diarise → align → tag → store.

    Returns the meeting's status: 'processed', 'unchanged' (same audio and models as the stored
    run), 'skipped' (consent) or 'failed'; every run is recorded in ``pipeline_runs``.
    """
    con = db.connect(db_path)
    try:
        return pipeline.process_meeting(con, meeting, options, manifest_path=manifest_path, call=call_as_task).status
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("meeting_id")
    parser.add_argument("--db", default="dialogic.duckdb")
    args = parser.parse_args(argv)
    loaded = manifest.load_manifest(args.manifest)
    chosen = [m for m in loaded.meetings if m.id == args.meeting_id]
    if not chosen:
        reasons = [p.reason for p in loaded.problems if p.meeting == args.meeting_id]
        print(
            f"{args.manifest}: meeting {args.meeting_id!r} " + (reasons[0] if reasons else "not found"), file=sys.stderr
        )
        return 1
    status = process_meeting_flow(chosen[0], args.db, manifest_path=str(loaded.path))
    print(status)
    return 1 if status == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
