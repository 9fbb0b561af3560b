"""Prefect flow: one consented meeting end to end, one task per pipeline stage.

Run: python flows/process_meeting.py MANIFEST MEETING_ID [--db PATH]

The stages and their order are the library's (`dialogic.pipeline.STAGES`, the same ones
`dialogic process` runs); this flow only runs each as a Prefect task, retrying the stages that do
I/O (hash, decode, store) on file-system and database I/O errors, never on a bad recording or a
bug. Prefect uses its local ephemeral API; no server needs starting. Task results are not
persisted: they hold health data, and the only store for it is the DuckDB file.
"""

from __future__ import annotations

import argparse
import sys

import duckdb
from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import db, manifest, pipeline
from dialogic.options import PipelineOptions


def _is_io_error(task, task_run, state) -> bool:
    """Retry only what may pass: file-system and database I/O, never a bad recording or a bug."""
    try:
        state.result()
    except (OSError, duckdb.IOException):
        return True
    except Exception:
        return False
    return False


@task(cache_policy=NONE, persist_result=False)
def run_stage(stage: pipeline.Stage, run: pipeline.MeetingRun) -> None:
    """One library stage; it reads and fills the meeting's run in place."""
    stage.run(run)


def call_as_task(stage: pipeline.Stage, run: pipeline.MeetingRun) -> None:
    """How `dialogic.pipeline.run_meeting` calls a stage inside a flow: as a named Prefect task."""
    retries = dict(retries=2, retry_delay_seconds=5, retry_condition_fn=_is_io_error) if stage.io else {}
    named = run_stage.with_options(name=stage.name, task_run_name=f"{run.meeting.id}:{stage.name}", **retries)
    # quote(): the run holds audio and a database connection, which Prefect need not inspect.
    named(stage, quote(run))


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
