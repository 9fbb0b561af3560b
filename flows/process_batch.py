"""Prefect flow: every meeting of a manifest, a few at a time, each failure kept to its meeting.

Run: python flows/process_batch.py MANIFEST [--db PATH] [--concurrency N]

The batch is the library's one loop (`dialogic.pipeline.process_manifest`, as `dialogic process`
runs it): each meeting is computed as a task on the flow's task runner, its stages tasks of their
own (the I/O stages retry on I/O errors only: `dialogic.prefect_tasks`), and stored by the flow
alone, in manifest order. A bad recording is recorded as a failed run and the others go on; a
meeting skipped for consent or withdrawn is reported as skipped (and purged with
``purge_withdrawn``). Re-running resumes: meetings already stored with the same audio and models
come back 'unchanged' at the cost of hashing their audio.
"""

from __future__ import annotations

import argparse
import sys

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import manifest, pipeline
from dialogic.engines import Engine
from dialogic.options import PipelineOptions
from dialogic.prefect_tasks import TaskExecutor, call_as_task
from dialogic.records import MeetingResult


@flow(name="process-batch", task_runner=ThreadPoolTaskRunner(max_workers=1), log_prints=False)
def process_batch_flow(
    manifest_path: str,
    db_path: str,
    options: PipelineOptions = PipelineOptions(),
) -> list[MeetingResult]:
    """Process a manifest; the task runner's max_workers bounds how many meetings compute at once."""
    engine = Engine(TaskExecutor(), call=call_as_task)
    return pipeline.process_manifest(db_path, manifest.load_manifest(manifest_path), options, engine=engine).results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--db", default="dialogic.duckdb")
    parser.add_argument("--concurrency", type=int, default=1, help="meetings in flight at once")
    parser.add_argument("--purge-withdrawn", action="store_true", help="remove what is stored of withdrawn meetings")
    args = parser.parse_args(argv)
    bounded = process_batch_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=max(1, args.concurrency)))
    results = bounded(args.manifest, args.db, PipelineOptions(purge_withdrawn=args.purge_withdrawn))
    for r in results:
        print(f"{r.meeting_id}\t{r.status}\t{r.reason or ''}")
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
