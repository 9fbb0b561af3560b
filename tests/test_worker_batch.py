"""A batch on a real local Dask cluster (two single-threaded worker processes) with the real models
on three real 30 s AMI meeting clips, one worker killed with SIGKILL mid-batch: the database it
ends with is the one a plain run gives, and each worker loads its models once. About three
minutes on 2 cores."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from builders import AMI_DEV as AMI
from builders import write_ami_batch

from dialogic.dask_cluster import dask_executor
from dialogic.db_content import content_differences
from dialogic.engines import Engine
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import process_manifest
from dialogic.staging import default_staging_dir

pytestmark = pytest.mark.models

CLIPS = ("trn00", "trn04", "trn06")
# What Dask puts in its workers' environment (distributed.nanny.pre-spawn-environ): the reference
# run gets the same, since the thread environment changes faster-whisper's arithmetic.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
ONE_CORE = dataclasses.replace(PipelineOptions(), cpu_cores=1)


@pytest.fixture(scope="module")
def ami_batch(tmp_path_factory) -> Path:
    """A folder with three AMI clips, their manifest, and the database of a plain run on one core."""
    if not AMI.is_dir():
        pytest.skip(f"{AMI} (the AMI dev clips) is not here")
    folder = tmp_path_factory.mktemp("ami")
    write_ami_batch(folder, CLIPS)
    done = subprocess.run(
        [sys.executable, "-c", "from dialogic.cli import app; app(prog_name='dialogic')", "process"]
        + [str(folder / "manifest.yaml"), "--db", str(folder / "plain.duckdb"), "--cpu-cores", "1"],
        env={**os.environ, **WORKER_ENV},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def _model_loads() -> tuple[int, int]:
    """On a worker: (times the diarisation pipeline was loaded, times it was asked for)."""
    from dialogic.diarisation.diarise import load_diarisation_pipeline

    info = load_diarisation_pipeline.cache_info()
    return info.misses, info.hits + info.misses


_model_loads.__module__ = "__main__"  # sent to the workers by value: they cannot import this test module


def _statuses(report) -> dict[str, str]:
    return {r.meeting_id: r.status for r in report.results}


def test_a_batch_on_two_workers_one_killed_mid_batch_stores_what_a_plain_run_stores(ami_batch, tmp_path):
    """One worker is killed (SIGKILL) 3 s into a meeting: Dask computes that meeting again on a
    worker, and the database ends as the plain run's, every row once. Each worker loads its models
    once; a second run of the batch computes nothing."""
    db = tmp_path / "dask.duckdb"
    manifest = load_manifest(ami_batch / "manifest.yaml")
    with dask_executor(workers=2) as executor:
        client = executor.client
        engine = Engine(executor, staging=default_staging_dir(db))
        outcome = {}
        batch = threading.Thread(
            target=lambda: outcome.setdefault("report", process_manifest(db, manifest, ONE_CORE, engine=engine))
        )
        batch.start()
        killed = _kill_a_busy_worker(client, after_s=3.0)
        batch.join(timeout=900)
        assert not batch.is_alive()
        assert killed["pid"] not in client.run(os.getpid).values()  # it died; the nanny started another
        assert content_differences(ami_batch / "plain.duckdb", db) == []  # every row once, as in the plain run
        loads = client.run(_model_loads)
        again = process_manifest(db, manifest, ONE_CORE, engine=engine)
        assert client.run(_model_loads) == loads  # nothing computed
    report = outcome["report"]
    assert _statuses(report) == dict.fromkeys(CLIPS, "processed"), [r.reason for r in report.results]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select meeting_id, count(*) from pipeline_runs group by 1 order by 1").fetchall() == [
        (clip, 2) for clip in CLIPS
    ]  # the batch's run and the second run's 'unchanged', nothing from the killed attempt
    con.close()
    assert not default_staging_dir(db).exists()  # the killed worker's partial output included
    # The two living workers computed the three meetings between them, loading the models once each.
    assert all(misses <= 1 for misses, _ in loads.values()), loads
    assert sum(calls for _, calls in loads.values()) == len(CLIPS) and max(c for _, c in loads.values()) >= 2, loads
    assert _statuses(again) == dict.fromkeys(CLIPS, "unchanged")


def _kill_a_busy_worker(client, *, after_s: float) -> dict:
    """SIGKILL the process of a worker that has been computing a meeting for ``after_s``."""
    deadline = time.monotonic() + 600
    busy_since: dict[str, float] = {}
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if keys:
                busy_since.setdefault(address, time.monotonic())
            else:
                busy_since.pop(address, None)
        ready = [a for a, since in busy_since.items() if time.monotonic() - since >= after_s]
        if ready:
            pid = client.run(os.getpid, workers=[ready[0]])[ready[0]]
            os.kill(pid, signal.SIGKILL)
            return {"address": ready[0], "pid": pid}
        time.sleep(0.2)
    raise AssertionError("no worker was ever busy")
