"""Withdrawal and purge on every way a batch runs: here, on Dask workers, in the Prefect batch flow
and in the Prefect Dask flow. Each runs `dialogic.pipeline.process_manifest`, so each must skip a
withdrawn meeting, purge it when asked and refuse it afterwards with the same words, and leave a
stored, unchanged meeting as it is. No model runs: both meetings are stored from hand-built
computed meetings (tests/test_staging.py), and neither is computed again."""

from __future__ import annotations

import importlib.util
import re
import sys
import wave
from pathlib import Path

import duckdb
import pytest
from test_staging import computed

from dialogic.db import connect
from dialogic.engines import Engine
from dialogic.keys import meeting_key
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.pipeline import meeting_options, process_manifest, store_staged
from dialogic.staging import default_staging_dir, stage_meeting

FLOWS = Path(__file__).resolve().parent.parent / "flows"
OPTIONS = PipelineOptions(tag=False)

MANIFEST = """\
meetings:
  - id: gone
    audio: gone.wav
    consent: {{status: {gone}, scope: [transcribe, analyse], reference: ref-1}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: clinician}}]
  - id: kept
    audio: kept.wav
    consent: {{status: given, scope: [transcribe, analyse], reference: ref-1}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: clinician}}]
"""


def stored_study(folder: Path) -> tuple[Path, Path]:
    """Two meetings stored under the keys their files and the options give: (database, manifest)."""
    for i, name in enumerate(("gone", "kept")):
        with wave.open(str(folder / f"{name}.wav"), "wb") as out:
            out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
            out.writeframes(bytes([i + 1, 0]) * 16000)
    manifest = folder / "manifest.yaml"
    manifest.write_text(MANIFEST.format(gone="given"))
    db = folder / "study.duckdb"
    con = connect(db)
    for spec in load_manifest(manifest).meetings:
        key = meeting_key(spec, meeting_options(spec, OPTIONS))
        folder_of_set = stage_meeting(folder / "sets", computed(spec.id, key.processing_key))
        assert store_staged(con, spec, OPTIONS, key, folder_of_set).status == "processed"
    con.close()
    return db, manifest


def _load_flow(name: str):
    spec = importlib.util.spec_from_file_location(name, FLOWS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_here(db, manifest, options):
    return process_manifest(db, load_manifest(manifest), options).results


def run_on_dask(db, manifest, options):
    from dialogic.dask_cluster import dask_executor

    with dask_executor(workers=1) as executor:
        engine = Engine(executor, staging=default_staging_dir(db))
        return process_manifest(db, load_manifest(manifest), options, engine=engine).results


def run_prefect_flow(db, manifest, options):
    return _load_flow("process_batch").process_batch_flow(str(manifest), str(db), options)


def run_prefect_dask_flow(db, manifest, options):
    module = _load_flow("process_batch_dask")
    flow = module.process_batch_dask_flow.with_options(task_runner=module.dask_task_runner(workers=1))
    return flow(str(manifest), str(db), options)


PATHS = {"here": run_here, "dask": run_on_dask, "prefect": run_prefect_flow, "prefect-dask": run_prefect_dask_flow}


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _outcomes(results) -> dict[str, tuple[str, str]]:
    return {r.meeting_id: (r.status, r.reason) for r in results}


@pytest.mark.parametrize("path", PATHS)
def test_a_withdrawn_meeting_is_skipped_purged_and_refused_the_same_on_every_path(path, request, tmp_path):
    if path.startswith("prefect"):
        request.getfixturevalue("harness")
    run = PATHS[path]
    db, manifest = stored_study(tmp_path)
    manifest.write_text(MANIFEST.format(gone="withdrawn"))

    kept = _outcomes(run(db, manifest, OPTIONS))
    assert kept == {
        "gone": (
            "skipped",
            "consent withdrawn, but its stored data is still in the database: run again with --purge-withdrawn, "
            "or `dialogic consent withdraw`",
        ),
        "kept": ("unchanged", "same audio and models as the stored run"),
    }
    assert _rows(db, "select meeting_id, count(*) from utterances group by 1 order by 1") == [("gone", 2), ("kept", 2)]

    purged = _outcomes(run(db, manifest, PipelineOptions(tag=False, purge_withdrawn=True)))
    assert purged["gone"][0] == "skipped", purged
    assert re.fullmatch(r"consent withdrawn: everything stored was removed \(\d+ rows\)", purged["gone"][1])
    assert purged["kept"] == ("unchanged", "same audio and models as the stored run")
    assert _rows(db, "select meeting_id from meetings") == [("kept",)]
    assert _rows(db, "select distinct meeting_id from pipeline_runs") == [("kept",)]

    # the manifest says 'given' again (never edited after the purge): still not processed
    manifest.write_text(MANIFEST.format(gone="given"))
    refused = _outcomes(run(db, manifest, OPTIONS))
    assert refused["gone"][0] == "skipped" and "consent was withdrawn (ref-1, " in refused["gone"][1]
    assert refused["gone"][1].endswith("a meeting recorded under new consent needs a new id")
    assert _rows(db, "select meeting_id from meetings") == [("kept",)]
    assert not default_staging_dir(db).exists()
