"""The Prefect flows, run under Prefect's test harness (a temporary local API, no server to start)."""

import importlib.util
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from dialogic.manifest import load_manifest

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`

FLOWS = Path(__file__).resolve().parent.parent / "flows"


def load_flow_module(name):
    spec = importlib.util.spec_from_file_location(name, FLOWS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_meeting_flow_stores_the_meeting_then_finds_it_unchanged(harness, sample_workdir, tmp_path):
    flow_module = load_flow_module("process_meeting")
    manifest = load_manifest(sample_workdir / "manifest.yaml")
    db_path = str(tmp_path / "flow.duckdb")
    assert (
        flow_module.process_meeting_flow(manifest.meetings[0], db_path, manifest_path=str(manifest.path)) == "processed"
    )
    con = duckdb.connect(db_path, read_only=True)
    assert con.execute("select count(*) from utterances").fetchone()[0] > 5
    assert con.execute("select count(distinct speaker_label) from speakers").fetchone()[0] == 2
    assert con.execute("select count(*) from tags").fetchone()[0] > 0
    con.close()
    assert (
        flow_module.process_meeting_flow(manifest.meetings[0], db_path, manifest_path=str(manifest.path)) == "unchanged"
    )


def test_batch_flow_isolates_failures(harness, sample_workdir, tmp_path):
    flow_module = load_flow_module("process_batch")
    shutil.copyfile(sample_workdir / "sample.wav", tmp_path / "ok.wav")
    (tmp_path / "bad.wav").write_bytes(b"not audio at all" * 100)
    (tmp_path / "manifest.yaml").write_text("""
meetings:
  - id: bad
    audio: bad.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: ok
    audio: ok.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}, {id: p2, role: clinician}]
  - id: unknown-role
    audio: ok.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: nurse}]
""")
    results = flow_module.process_batch_flow(str(tmp_path / "manifest.yaml"), str(tmp_path / "batch.duckdb"))
    status = {r.meeting_id: r.status for r in results}
    assert status == {"bad": "failed", "ok": "processed", "unknown-role": "failed"}


def test_dask_batch_flow_computes_on_a_worker_and_stores_here(harness, sample_workdir, tmp_path):
    """The flow on Prefect's DaskTaskRunner with one local worker process: the sample is computed
    there and stored by the flow; a file that is not audio fails on the worker alone."""
    flow_module = load_flow_module("process_batch_dask")
    shutil.copyfile(sample_workdir / "sample.wav", tmp_path / "ok.wav")
    (tmp_path / "bad.wav").write_bytes(b"not audio at all" * 100)
    (tmp_path / "manifest.yaml").write_text("""
meetings:
  - id: bad
    audio: bad.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: ok
    audio: ok.wav
    consent: {status: given, scope: [transcribe, analyse]}
    participants: [{id: p1, role: service_user}, {id: p2, role: clinician}]
""")
    db = tmp_path / "dask.duckdb"
    run = flow_module.process_batch_dask_flow.with_options(task_runner=flow_module.dask_task_runner(workers=1))
    results = run(str(tmp_path / "manifest.yaml"), str(db))
    status = {r.meeting_id: (r.status, r.reason) for r in results}
    assert status["ok"] == ("processed", None)
    assert status["bad"][0] == "failed" and status["bad"][1].startswith("decode: ")
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(distinct speaker_label) from speakers").fetchone()[0] == 2
    assert con.execute("select count(*) from tags").fetchone()[0] > 0
    assert con.execute("select meeting_id, status from pipeline_runs order by 1").fetchall() == [
        ("bad", "failed"),
        ("ok", "processed"),
    ]
    con.close()
    assert not (tmp_path / "dask.duckdb.staging").exists()
