"""Prefect flow: every meeting of a manifest, a few at a time, each failure kept to its meeting.

Run: python flows/process_batch.py MANIFEST [--db PATH] [--concurrency N]

Each meeting is one task running the library's stages as tasks of their own (see
process_meeting.py: the I/O stages retry on I/O errors only). A bad recording is recorded as a
failed run and the others go on; a meeting skipped for consent is reported as skipped. Re-running
resumes: meetings already stored with the same audio and models come back 'unchanged' at the cost
of hashing their audio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import db, manifest, pipeline
from dialogic.options import PipelineOptions
from dialogic.records import MeetingResult

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling flow module, run or imported
from process_meeting import call_as_task  # noqa: E402


@task(cache_policy=NONE, persist_result=False)
def process_one(con, meeting: manifest.MeetingSpec, options: PipelineOptions, manifest_path: str) -> MeetingResult:
    return pipeline.process_meeting(con, meeting, options, manifest_path=manifest_path, call=call_as_task)


@flow(name="process-batch", task_runner=ThreadPoolTaskRunner(max_workers=1), log_prints=False)
def process_batch_flow(
    manifest_path: str,
    db_path: str,
    options: PipelineOptions = PipelineOptions(),
) -> list[MeetingResult]:
    """Process a manifest; the task runner's max_workers bounds how many meetings run at once.

    Each meeting gets its own DuckDB cursor: DuckDB runs their transactions concurrently, and
    they never touch the same rows.
    """
    loaded = manifest.load_manifest(manifest_path)
    results = [MeetingResult(p.meeting, "failed", p.reason) for p in loaded.problems]
    # withdrawn meetings are purged (with --purge-withdrawn) or skipped as on every other path
    withdrawn = pipeline.withdrawn_meetings(db_path, loaded, options)
    results += [MeetingResult(m.id, "skipped", withdrawn[m.id]) for m in loaded.meetings if m.id in withdrawn]
    con = db.connect(db_path)
    try:
        futures = [
            (m, process_one.submit(con.cursor(), m, options, str(loaded.path)))
            for m in loaded.meetings
            if m.id not in withdrawn
        ]
        for meeting, future in futures:
            state = future.wait() or future.state
            if state.is_completed():
                results.append(future.result())
            else:
                results.append(MeetingResult(meeting.id, "failed", f"task {state.name}: {state.message}"))
    finally:
        con.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--db", default="dialogic.duckdb")
    parser.add_argument("--concurrency", type=int, default=1, help="meetings in flight at once")
    args = parser.parse_args(argv)
    bounded = process_batch_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=max(1, args.concurrency)))
    results = bounded(args.manifest, args.db)
    for r in results:
        print(f"{r.meeting_id}\t{r.status}\t{r.reason or ''}")
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
