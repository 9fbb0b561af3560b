"""Which precision a tagger is served in, and what bf16 changes on the committed model."""

import json

import numpy as np
import pytest

from dialogic.errors import ModelError
from dialogic.tagging.precision import choose_precision


def _manifest(usable: bool | None) -> dict:
    manifest = {"model_version": "dialogic-tagger-v9"}
    if usable is not None:
        manifest["precision"] = {"bf16": {"usable": usable, "verdict": "usable" if usable else "codebook 40/49"}}
    return manifest


def yes():
    return True


def no():
    return False


@pytest.fixture(autouse=True)
def no_precision_override(monkeypatch):
    monkeypatch.delenv("DIALOGIC_TAGGER_PRECISION", raising=False)


def test_auto_serves_bf16_only_when_the_check_passed_and_the_cpu_has_bf16_units():
    assert choose_precision(None, _manifest(True), has_bf16_units=yes) == "bf16"
    assert choose_precision("auto", _manifest(False), has_bf16_units=yes) == "fp32"
    assert choose_precision("auto", _manifest(None), has_bf16_units=yes) == "fp32"
    assert choose_precision(None, _manifest(True), has_bf16_units=no) == "fp32"


def test_explicit_precision_and_the_environment(monkeypatch):
    assert choose_precision("fp32", _manifest(True), has_bf16_units=yes) == "fp32"
    monkeypatch.setenv("DIALOGIC_TAGGER_PRECISION", "fp32")
    assert choose_precision(None, _manifest(True), has_bf16_units=yes) == "fp32"
    monkeypatch.setenv("DIALOGIC_TAGGER_PRECISION", "fp8")
    with pytest.raises(ModelError, match="unknown tagger precision 'fp8'.*DIALOGIC_TAGGER_PRECISION"):
        choose_precision(None, _manifest(True), has_bf16_units=yes)


def test_bf16_is_refused_for_an_artifact_that_failed_or_lacks_the_check():
    with pytest.raises(ModelError, match=r"dialogic-tagger-v9 failed its bf16 check \(codebook 40/49\)"):
        choose_precision("bf16", _manifest(False), has_bf16_units=yes)
    with pytest.raises(ModelError, match="dialogic-tagger-v9 has no bf16 check"):
        choose_precision("bf16", _manifest(None), has_bf16_units=yes)


@pytest.mark.models
def test_committed_model_in_bf16_keeps_the_fp32_labels():
    from dialogic.tagging.artifacts import resolve_artifact
    from dialogic.tagging.corpus import load_training_corpus, split_rows
    from dialogic.tagging.evaluate import label_matrix, score_predictions
    from dialogic.tagging.tagger import load_tagger_from

    artifact = resolve_artifact()
    fp32 = load_tagger_from(artifact, precision="fp32")
    bf16 = load_tagger_from(artifact, precision="bf16")
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16")
    # the test split the artifact was trained and checked with (every corpus file `dialogic train` reads)
    test = split_rows(load_training_corpus(), "test")
    texts, roles = [r.text for r in test], [r.speaker_role for r in test]
    p32, p16 = fp32.predict_array(texts, roles), bf16.predict_array(texts, roles)
    assert 0 < np.abs(p16 - p32).max() < 0.08  # bf16 really ran, and stayed close
    cut = np.array([fp32.thresholds[t] for t in fp32.thresholds])
    assert ((p16 >= cut) != (p32 >= cut)).sum() <= 5  # of 1,880 labels
    recorded = json.loads((artifact / "manifest.json").read_text())["precision"]["bf16"]
    f1 = score_predictions(label_matrix(test), p16, bf16.thresholds).macro_f1
    assert recorded["usable"] and abs(f1 - recorded["test_macro_f1"]) <= 0.005
    assert abs(f1 - score_predictions(label_matrix(test), p32, fp32.thresholds).macro_f1) <= 0.01
