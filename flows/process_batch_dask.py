"""Prefect flow: a manifest's meetings computed on a Dask cluster, stored by this process alone.

Run: python flows/process_batch_dask.py MANIFEST [--db PATH] (--dask-workers N | --dask-address ADDRESS)
                                        [--device cpu|cuda] [--cpu-cores N] [--staging-dir DIR]
                                        [--purge-withdrawn]

Prefect's DaskTaskRunner sends one task per meeting to the cluster: a local one (N worker processes
of one thread each) or an existing one by its scheduler address (e.g. a dask-jobqueue SLURM
cluster; docs/scale.md). The batch is the library's one loop (`dialogic.pipeline.process_manifest`,
as `dialogic process --dask-workers` runs it, with the same option rules): each task computes a
whole meeting on a worker and leaves it as a staged set of files; this flow, the only process that
opens the database, stores each set in one transaction, in manifest order. A worker that dies is
retried by Dask on another; a meeting computed twice is stored once; re-running resumes. Task
results are not persisted: the only store for meeting data is the DuckDB file.

On a cluster whose workers run on other machines, those workers report task states to the Prefect
API, so it must be a server they can reach (``prefect server start --host 0.0.0.0`` and
PREFECT_API_URL), not the ephemeral one Prefect starts in this process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from prefect import flow
from prefect_dask import DaskTaskRunner

import dialogic  # noqa: F401  (switches telemetry off before Prefect and pyannote load)
from dialogic import manifest, pipeline
from dialogic.engines import Engine, batch_options
from dialogic.errors import DialogicError
from dialogic.options import PipelineOptions
from dialogic.prefect_tasks import TaskExecutor
from dialogic.records import MeetingResult
from dialogic.staging import default_staging_dir


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
    staging = Path(staging_dir) if staging_dir is not None else default_staging_dir(db_path)
    engine = Engine(TaskExecutor(), staging=staging)
    return pipeline.process_manifest(db_path, manifest.load_manifest(manifest_path), options, engine=engine).results


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
    parser.add_argument("--purge-withdrawn", action="store_true", help="remove what is stored of withdrawn meetings")
    args = parser.parse_args(argv)
    try:
        options = batch_options(
            PipelineOptions(cpu_cores=args.cpu_cores, purge_withdrawn=args.purge_withdrawn),
            device=args.device,
            workers=args.dask_workers,
            address=args.dask_address,
            staging_dir=args.staging_dir,
        )
    except DialogicError as exc:
        parser.error(str(exc))
    runner = dask_task_runner(workers=args.dask_workers, address=args.dask_address)
    results = process_batch_dask_flow.with_options(task_runner=runner)(
        args.manifest, args.db, options, args.staging_dir
    )
    for r in results:
        print(f"{r.meeting_id}\t{r.status}\t{r.reason or ''}")
    return 1 if any(r.status == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
