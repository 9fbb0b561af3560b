"""Same audio, options and models, same stored rows: two real 30 s AMI clips (trn04 is the one whose
transcript used to change from run to run) processed into fresh databases in fresh processes, in
this process and on two Dask workers, on one core and on four (two threads for each model). Every
table compares equal, less timestamps and run ids (`dialogic.db_content`); runs on different
thread counts have different processing keys and say so in their run records. Twelve meeting
computations in all, twice the killed-worker test's (tests/test_worker_batch.py, about three
minutes on 2 idle cores); measured here 16 and 20 minutes for the two model tests while other
work held the 2 cores (load average 12-16)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from builders import AMI_DEV as AMI
from builders import write_ami_batch

from dialogic.cores import cpu_threads, torch_threads
from dialogic.dask_cluster import dask_executor
from dialogic.db_content import content_differences
from dialogic.engines import Engine
from dialogic.keys import options_record, processing_key
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import process_manifest
from dialogic.staging import default_staging_dir
from dialogic.transcribe import ASR_DECODING

CLIPS = ("trn04", "trn08")
# Dask's worker environment (distributed.nanny.pre-spawn-environ); one of the fresh runs gets it too,
# since the results must not depend on it.
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    if not AMI.is_dir():
        pytest.skip(f"{AMI} (the AMI dev clips) is not here")
    folder = tmp_path_factory.mktemp("determinism")
    write_ami_batch(folder, CLIPS)
    return folder


@pytest.fixture(scope="module")
def one_core_db(clips, tmp_path_factory) -> Path:
    """The clips processed by `dialogic process --cpu-cores 1` in a fresh process."""
    return _process_in_fresh_process(clips, tmp_path_factory.mktemp("one-core") / "run1.duckdb", 1)


def _process_in_fresh_process(folder: Path, db: Path, cores: int, env: dict[str, str] | None = None) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", "from dialogic.cli import app; app(prog_name='dialogic')", "process"]
        + [str(folder / "manifest.yaml"), "--db", str(db), "--cpu-cores", str(cores)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return db


def _run_threads(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            json.dumps(json.loads(r[0])["cpu_threads"])
            for r in con.execute("select options from pipeline_runs").fetchall()
        }
    finally:
        con.close()


@pytest.mark.models
def test_one_core_three_fresh_processes_and_two_dask_workers_store_the_same_rows(clips, one_core_db, tmp_path):
    first = one_core_db
    second = _process_in_fresh_process(clips, tmp_path / "run2.duckdb", 1, ONE_THREAD_ENV)
    third = _process_in_fresh_process(clips, tmp_path / "run3.duckdb", 1)
    assert content_differences(first, second) == []
    assert content_differences(first, third) == []
    dask_db = tmp_path / "dask.duckdb"
    options = dataclasses.replace(PipelineOptions(), cpu_cores=1)
    with dask_executor(workers=2) as executor:
        engine = Engine(executor, staging=default_staging_dir(dask_db))
        report = process_manifest(dask_db, load_manifest(clips / "manifest.yaml"), options, engine=engine)
    assert [r.status for r in report.results] == ["processed"] * len(CLIPS), [r.reason for r in report.results]
    assert content_differences(first, dask_db) == []
    assert _run_threads(first) == {json.dumps({"transcription": 1, "diarisation": 1, "tagging": 1})}


@pytest.mark.models
def test_two_threads_a_stage_in_a_fresh_process_and_in_this_one_store_the_same_rows_under_their_own_key(
    clips, one_core_db, tmp_path
):
    """Four cores: transcription and diarisation on two threads each, beside each other."""
    fresh = _process_in_fresh_process(clips, tmp_path / "fresh.duckdb", 4)
    here = tmp_path / "here.duckdb"
    options = dataclasses.replace(PipelineOptions(), cpu_cores=4)
    report = process_manifest(here, load_manifest(clips / "manifest.yaml"), options)
    assert [r.status for r in report.results] == ["processed"] * len(CLIPS), [r.reason for r in report.results]
    assert content_differences(fresh, here) == []
    assert _run_threads(here) == {json.dumps({"transcription": 2, "diarisation": 2, "tagging": 4})}
    # another thread count is another computation: a one-core run does not pass for this one
    one_core = one_core_db
    keys = "select meeting_id, processing_key from meetings order by 1"
    with duckdb.connect(str(here), read_only=True) as a, duckdb.connect(str(one_core), read_only=True) as b:
        assert set(a.execute(keys).fetchall()).isdisjoint(b.execute(keys).fetchall())


def _cores(n: int, **changes) -> PipelineOptions:
    return dataclasses.replace(PipelineOptions(), cpu_cores=n, **changes)


def test_each_model_stage_gets_its_threads_from_the_cores_of_the_meeting():
    threads = {n: tuple(cpu_threads(_cores(n)).values()) for n in (1, 2, 3, 4)}
    assert threads == {1: (1, 1, 1), 2: (1, 1, 2), 3: (1, 2, 3), 4: (2, 2, 4)}  # transcription, diarisation, tagging
    assert cpu_threads(_cores(3, parallel_cpu=False)) == {"transcription": 3, "diarisation": 3, "tagging": 3}
    asr_on_three = dataclasses.replace(PipelineOptions().transcription, cpu_threads=3)
    assert cpu_threads(_cores(4, transcription=asr_on_three)) == {"transcription": 3, "diarisation": 1, "tagging": 4}


def test_the_threads_and_the_decoding_are_part_of_the_processing_key():
    models = [{"name": "base", "kind": "asr", "sha256": "e" * 64, "decoding": ASR_DECODING}]
    sampled = [{**models[0], "decoding": {**ASR_DECODING, "temperature": [0.0, 0.2]}}]
    audio = "a" * 64
    assert processing_key(audio, _cores(1), models) == processing_key(audio, _cores(1), models)
    assert processing_key(audio, _cores(1), models) != processing_key(audio, _cores(4), models)
    assert processing_key(audio, _cores(1), models) != processing_key(audio, _cores(1), sampled)
    assert options_record(_cores(4))["cpu_threads"] == {"transcription": 2, "diarisation": 2, "tagging": 4}
    assert ASR_DECODING["temperature"] == 0.0  # no sampling: CTranslate2 seeds its sampler from the OS


def test_torch_threads_sets_the_count_inside_the_block_and_restores_it():
    import torch

    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before


def test_batched_decoding_is_in_the_key_and_its_default_keeps_the_keys_stored_before_it():
    models = [{"name": "base", "kind": "asr", "sha256": "e" * 64, "decoding": ASR_DECODING}]
    audio = "a" * 64
    default = _cores(2)
    batched = _cores(2, transcription=dataclasses.replace(default.transcription, batch_size=8))
    assert processing_key(audio, default, models) != processing_key(audio, batched, models)
    # The key as computed before batch_size existed: the same record without it.
    record = options_record(default)
    record["transcription"] = {k: v for k, v in record["transcription"].items() if k != "batch_size"}
    before = {"audio": audio, "models": models, **record}
    assert (
        processing_key(audio, default, models)
        == hashlib.sha256(json.dumps(before, sort_keys=True, default=str).encode()).hexdigest()
    )
    assert options_record(batched)["transcription"]["batch_size"] == 8  # the run record states every value
