"""Shared fixtures: the real bundled recording, processed once per session by the real models."""

from __future__ import annotations

import importlib.resources
import shutil
from pathlib import Path

import pytest

import dialogic  # noqa: F401  (telemetry off, hub offline before any model library loads)

SAMPLE_MANIFEST = """\
meetings:
  - id: sample
    audio: sample.wav
    recorded_on: 2026-01-15
    site: test
    consent: {status: given, scope: [transcribe, analyse, review], reference: test}
    participants:
      - {id: p1, role: service_user}
      - {id: p2, role: peer}
"""


def sample_dir() -> Path:
    return Path(str(importlib.resources.files("pyannote.audio") / "sample"))


def sample_twice_with_a_pause():
    """The sample, 2 s of silence, the sample again, 2 s of silence (a DecodedAudio of 64 s whose
    one pause is at 30–32 s): long enough for two transcription windows, short enough for a test."""
    import numpy as np

    from dialogic.audio import decode_audio
    from dialogic.records import DecodedAudio

    sample = decode_audio(sample_dir() / "sample.wav")
    gap = np.zeros(2 * sample.sample_rate, dtype=np.float32)
    samples = np.concatenate([sample.samples, gap, sample.samples, gap])
    return DecodedAudio(Path("twice.wav"), samples, sample.sample_rate, "")


@pytest.fixture(scope="session")
def sample_workdir(tmp_path_factory) -> Path:
    """A folder with the bundled two-speaker recording, its reference RTTM and a manifest."""
    workdir = tmp_path_factory.mktemp("sample")
    shutil.copyfile(sample_dir() / "sample.wav", workdir / "sample.wav")
    shutil.copyfile(sample_dir() / "sample.rttm", workdir / "sample.rttm")
    (workdir / "manifest.yaml").write_text(SAMPLE_MANIFEST)
    return workdir


@pytest.fixture(scope="session")
def processed_sample(sample_workdir):
    """(database path, batch report) after processing the sample once with the default models."""
    from dialogic.manifest import load_manifest
    from dialogic.options import PipelineOptions
    from dialogic.pipeline import process_manifest

    db_path = sample_workdir / "sample.duckdb"
    report = process_manifest(db_path, load_manifest(sample_workdir / "manifest.yaml"), PipelineOptions())
    return db_path, report


_NEEDS_WEIGHTS = {"processed_sample"}


def pytest_collection_modifyitems(config, items):
    """Every test that processes real audio carries the ``models`` marker, so that
    ``pytest -m 'not models'`` is an honest weight-free run."""
    unmarked = [
        item.nodeid
        for item in items
        if _NEEDS_WEIGHTS & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("models") is None
    ]
    if unmarked:
        raise pytest.UsageError("tests that need model weights lack @pytest.mark.models: " + ", ".join(unmarked))
