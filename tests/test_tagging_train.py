"""Training on a tiny corpus runs end to end, and artifacts refuse to load when altered."""

import hashlib
import json
import random
import shutil

import pytest

from dialogic.errors import ModelError
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import load_seed_corpus
from dialogic.tagging.encoder import encoder_dir
from dialogic.tagging.publish import write_artifact
from dialogic.tagging.tagger import load_tagger_from
from dialogic.tagging.train import TrainOptions, train_tagger

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def tiny_artifact(tmp_path_factory):
    encoder_dir()
    rows = load_seed_corpus()
    rng = random.Random(0)
    tiny = []
    for split, n in (("train", 64), ("dev", 32), ("test", 24)):
        tiny += rng.sample([r for r in rows if r.split == split], n)
    options = TrainOptions(version=1, recipes=("head", "finetune"), head_epochs=10, finetune_epochs=1, max_length=32)
    report = train_tagger(tiny, options)
    return report, write_artifact(report, options, tmp_path_factory.mktemp("models"))


def test_tiny_training_writes_a_loadable_artifact_with_card(tiny_artifact):
    report, path = tiny_artifact
    assert set(report.results) == {"head", "finetune"}
    assert path.name == "dialogic-tagger-v1"
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest["thresholds"]) == set(TAGS)
    assert set(manifest["metrics"]) == {"head", "finetune"}
    check = manifest["precision"]["bf16"]
    assert check["labels_judged"] == 24 * len(TAGS) and check["codebook"]["total"] >= 40
    assert isinstance(check["usable"], bool) and check["verdict"]
    card = (path / "MODEL_CARD.md").read_text()
    assert "## Precision and throughput" in card and "Known failure modes" in card and "not recorded" in card
    tagger = load_tagger_from(path)
    probs = tagger.predict(["we could wait or reduce it, what would you prefer?", "hello"], ["clinician", None])
    assert len(probs) == 2 and all(0.0 <= p[t] <= 1.0 for p in probs for t in TAGS)


def test_altered_weights_are_refused(tiny_artifact, tmp_path):
    _, path = tiny_artifact
    copy = shutil.copytree(path, tmp_path / path.name)
    with open(copy / "head.safetensors", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="sha256 differs"):
        load_tagger_from(copy)


def test_a_different_encoder_is_refused(tiny_artifact, tmp_path):
    _, path = tiny_artifact
    copy = shutil.copytree(path, tmp_path / path.name)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["encoder"]["sha256"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="encoder"):
        load_tagger_from(copy)


def test_train_command_on_a_tiny_corpus(tmp_path):
    from typer.testing import CliRunner

    from dialogic.cli import app
    from dialogic.tagging.corpus import seed_corpus_path

    encoder_dir()
    lines = seed_corpus_path().read_text().splitlines()
    rng = random.Random(1)
    tiny = [
        line
        for split in ("train", "dev", "test")
        for line in rng.sample([x for x in lines if f'"split": "{split}"' in x], 30)
    ]
    corpus = tmp_path / "tiny.jsonl"
    corpus.write_text("\n".join(tiny) + "\n")
    result = CliRunner().invoke(
        app,
        [
            "train",
            "--corpus",
            str(corpus),
            "--recipe",
            "head",
            "--output-dir",
            str(tmp_path / "m"),
            "--name",
            "tiny-tagger",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "head (kept)" in result.output
    assert (tmp_path / "m" / "tiny-tagger-v1" / "MODEL_CARD.md").is_file()
    assert not (tmp_path / "m" / "tiny-tagger-v1" / "encoder.safetensors").exists()
    # the card says which corpus file, byte for byte, the version was trained on
    manifest = json.loads((tmp_path / "m" / "tiny-tagger-v1" / "manifest.json").read_text())
    digest = hashlib.sha256(corpus.read_bytes()).hexdigest()
    assert manifest["data"]["corpus_files"][str(corpus.resolve())] == digest
    assert f"`{corpus.resolve()}` {digest[:12]}" in (tmp_path / "m" / "tiny-tagger-v1" / "MODEL_CARD.md").read_text()
