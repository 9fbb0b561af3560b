"""Prefect flow: a manifest's meetings computed on a Dask cluster, stored by this process alone.

Run: python flows/process_batch_dask.py MANIFEST [--db PATH] (--dask-workers N | --dask-address ADDRESS)
                                        [--device cpu|cuda] [--cpu-cores N] [--staging-dir DIR]

Prefect's DaskTaskRunner sends one task per meeting to the cluster: a local one (N worker processes
of one thread each) or an existing one by its scheduler address (e.g. a dask-jobqueue SLURM
cluster; docs/scale.md). Each task computes a whole meeting on a worker and leaves it as a staged
set of files; this flow, the only process that opens the database, stores each set in one
transaction as it arrives (`dialogic.worker_batch`). A worker that dies is retried by Dask on
another; a meeting computed twice is stored once; re-running resumes. Task results are not
persisted: the only store for meeting data is the DuckDB file.

On a cluster whose workers run on other machines, those workers report task states to the Prefect
API, so it must be a server they can reach (``prefect server start --host 0.0.0.0`` and
PREFECT_API_URL), not the ephemeral one Prefect starts in this process.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import sys

import cloudpickle
from prefect import flow, task
from prefect.cache_policies import NONE
from prefect_dask import DaskTaskRunner

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import manifest, worker_batch
from dialogic.options import DiarisationOptions, PipelineOptions, TranscriptionOptions
from dialogic.records import MeetingResult

# Workers cannot import this file (flows/ is no package): send its task to them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@task(cache_policy=NONE, persist_result=False)
def compute_meeting(job: worker_batch.MeetingJob) -> worker_batch.JobOutcome:
    """One meeting on a worker: decode, transcribe and diarise, align, tag, stage as files."""
    return worker_batch.compute_meeting(job)


def submit_as_task(job: worker_batch.MeetingJob) -> concurrent.futures.Future:
    """How `dialogic.worker_batch.process_manifest_on_workers` sends a meeting inside this flow:
    as a Prefect task on the flow's task runner, its outcome handed back as a plain future."""
    # Not quote()d: the Dask task runner would hand the task the wrapper, not the job.
    submitted = compute_meeting.with_options(task_run_name=f"compute {job.meeting.id}").submit(job)
    future: concurrent.futures.Future = concurrent.futures.Future()

    def hand_back(done) -> None:
        try:
            future.set_result(done.result())
        except BaseException as exc:  # the task failed for good: only its meeting fails
            future.set_exception(exc)

    submitted.add_done_callback(hand_back)
    return future


def dask_task_runner(*, workers: int | None = None, address: str | None = None) -> DaskTaskRunner:
    """A local cluster of ``workers`` single-threaded processes (on 127.0.0.1, no dashboard), or
    the cluster whose scheduler is at ``address``."""
    if address is not None:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": None,
        }
    )


@flow(name="process-batch-dask", task_runner=dask_task_runner(workers=1), log_prints=False)
def process_batch_dask_flow(
    manifest_path: str,
    db_path: str,
    options: PipelineOptions = PipelineOptions(),
    staging_dir: str | None = None,
) -> list[MeetingResult]:
    """Process a manifest on the task runner's Dask cluster; see the module docstring."""
    loaded = manifest.load_manifest(manifest_path)
    report = worker_batch.process_manifest_on_workers(db_path, loaded, options, submit_as_task, staging_dir=staging_dir)
    return report.results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--db", default="dialogic.duckdb")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--dask-workers", type=int, help="local Dask worker processes, one thread each")
    where.add_argument("--dask-address", help="scheduler address of an existing Dask cluster (tcp://host:8786)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--cpu-cores", type=int, default=0, help="cores per meeting (default: a worker's share)")
    parser.add_argument("--staging-dir", help="folder every worker and this process see (default: beside the DB)")
    args = parser.parse_args(argv)
    if args.device != "cpu" and (args.dask_workers or 0) > 1:
        parser.error("--device cuda with --dask-workers above 1 puts every worker on the first GPU; see docs/scale.md")
    cores = args.cpu_cores
    if not cores and args.dask_workers:
        from dialogic.dask_cluster import local_worker_cores

        cores = local_worker_cores(args.dask_workers)
    options = dataclasses.replace(
        PipelineOptions(),
        transcription=TranscriptionOptions(
            device=args.device, compute_type="int8" if args.device == "cpu" else "float16"
        ),
        diarisation=DiarisationOptions(device=args.device),
        cpu_cores=cores,
    )
    runner = dask_task_runner(workers=args.dask_workers, address=args.dask_address)
    results = process_batch_dask_flow.with_options(task_runner=runner)(
        args.manifest, args.db, options, args.staging_dir
    )
    for r in results:
        print(f"{r.meeting_id}\t{r.status}\t{r.reason or ''}")
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
