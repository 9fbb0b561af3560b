"""`dialogic tag` round-trips .txt and .jsonl input with the committed model."""

import json

import pytest
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.errors import ManifestError, ModelError, TranscriptError
from dialogic.people import role_named
from dialogic.tagging.artifacts import resolve_artifact
from dialogic.tagging.codebook import TAGS, apply_role_rules
from dialogic.tagging.encoder import InputSpec, Turn
from dialogic.tagging.tagger import TagInput, read_tag_input, tag_inputs
from dialogic.transcript_import import read_transcript

runner = CliRunner()


@pytest.fixture(scope="module")
def tagger():
    from dialogic.tagging.tagger import load_tagger

    return load_tagger()


def _check_records(records, texts, ids, tagger, roles=None):
    assert [r["text"] for r in records] == texts
    assert [r["id"] for r in records] == ids
    for r, role in zip(records, roles or [None] * len(records)):
        assert set(r["probabilities"]) == set(TAGS)
        over = [t for t in TAGS if r["probabilities"][t] >= tagger.thresholds[t]]
        assert (r["labels"], r["candidates"]) == apply_role_rules(over, role)


@pytest.mark.models
def test_txt_round_trip(tmp_path, tagger):
    texts = [
        "We could reduce it or wait a month, what would you prefer?",
        "",
        "I was sectioned myself years ago, so I get it.",
    ]
    src = tmp_path / "notes.txt"
    src.write_text("\n".join(texts) + "\n")
    out = tmp_path / "tags.jsonl"
    result = runner.invoke(app, ["tag", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"tagged 2 utterances into {out} with {tagger.model_version} ({tagger.precision})" in result.output
    # not a terminal: progress as plain lines on standard error
    assert f"utterances tagged with {tagger.model_version}: 2/2 (" in result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    _check_records(records, [texts[0], texts[2]], [1, 3], tagger)  # blank line skipped, ids are line numbers
    assert "option_discussion" in records[0]["labels"]
    # no role in a .txt file: a peer self-disclosure waits on the speaker's role (codebook rule)
    assert "peer_self_disclosure" in records[1]["candidates"] and "peer_self_disclosure" not in records[1]["labels"]


@pytest.mark.models
def test_jsonl_round_trip_to_stdout_with_ids_and_roles(tmp_path, tagger):
    lines = [
        {
            "id": "m1/u00001",
            "text": "You need to stay on the depot, there's no other option.",
            "speaker_role": "clinician",
        },
        {"text": "what are you hoping for with the flat"},
        {"id": 7, "text": "Thanks for coming, everyone.", "speaker_role": None},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = runner.invoke(app, ["tag", str(src), "--model", "dialogic-tagger"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    _check_records(
        records, [x["text"] for x in lines], ["m1/u00001", 2, 7], tagger, [x.get("speaker_role") for x in lines]
    )
    assert "persuasion" in records[0]["labels"]
    assert records[2]["labels"] == []


def test_roles_from_jsonl_are_read(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "hi", "speaker_role": "peer"}\n')
    assert read_tag_input(src) == [TagInput("a", "hi", "peer")]


def test_a_txt_of_named_lines_is_read_as_transcript_import_reads_it(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(
        "Clinician: What would you like to talk about?\n\n"
        "Peer: When I was unwell the tiredness was the hardest part.\nChanging the time helped.\n"
        "Alex: I'd like to try that.\n"
    )
    assert read_tag_input(src) == [
        TagInput(1, "What would you like to talk about?", "clinician", "Clinician"),
        TagInput(3, "When I was unwell the tiredness was the hardest part. Changing the time helped.", "peer", "Peer"),
        TagInput(5, "I'd like to try that.", None, "Alex"),
    ]  # the name is also the speaker a context model's same/other mark reads
    plain = tmp_path / "plain.txt"
    plain.write_text("we could lower the dose\n\nor pause it\n")
    assert read_tag_input(plain) == [TagInput(1, "we could lower the dose"), TagInput(3, "or pause it")]


def test_a_txt_is_read_by_the_reader_transcript_import_uses(tmp_path):
    # UTF-16 with a byte-order mark, as some editors save: import reads it, so tag does too
    src = tmp_path / "in.txt"
    src.write_text("Peer: I have been there too.\nClinician: Shall we pause?\n", encoding="utf-16")
    segments = read_transcript(src).segments
    assert read_tag_input(src) == [TagInput(s.line, s.text, role_named(s.speaker), s.speaker) for s in segments]
    assert [item.speaker_role for item in read_tag_input(src)] == ["peer", "clinician"]
    # and refuses what import refuses, with import's message
    broken = tmp_path / "broken.txt"
    broken.write_text("no name here\nAlex: then a name\n")
    with pytest.raises(TranscriptError, match="line 1: text before any speaker"):
        read_tag_input(broken)


class _CountingTagger:
    """Unit-test stand-in: probability 0.9 for 'persuasion' when the text says 'must', and a log
    of the batches it was given."""

    thresholds = {tag: 0.5 for tag in TAGS}
    input_spec = InputSpec(role=False, context=1)

    def __init__(self):
        self.batches: list[list[str]] = []
        self.contexts: list = []

    def predict(self, texts, roles=None, contexts=None):
        self.batches.append(list(texts))
        self.contexts += list(contexts)
        return [{tag: 0.9 if tag == "persuasion" and "must" in t else 0.1 for tag in TAGS} for t in texts]

    def labels(self, probabilities):
        return [tag for tag in TAGS if probabilities[tag] >= self.thresholds[tag]]


def test_tag_inputs_goes_in_batches_keeps_order_and_reports_progress():
    items = [TagInput(n, f"you must {n}" if n % 3 == 0 else f"text {n}", "clinician") for n in range(7)]
    fake, seen = _CountingTagger(), []
    records = tag_inputs(fake, items, batch_size=3, progress=lambda done, total: seen.append((done, total)))
    assert [len(b) for b in fake.batches] == [3, 3, 1]
    assert seen == [(3, 7), (6, 7), (7, 7)]
    # a batch's first utterance still gets the one before it as context
    assert fake.contexts[3] == (Turn("text 2", None),) and fake.contexts[0] == ()
    assert [r["id"] for r in records] == list(range(7))
    assert [r["labels"] for r in records] == [["persuasion"] if n % 3 == 0 else [] for n in range(7)]


def test_other_formats_and_broken_lines_are_refused(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(ManifestError, match=".txt"):
        read_tag_input(tmp_path / "x.csv")
    (tmp_path / "x.jsonl").write_text('{"id": 1}\n')
    with pytest.raises(ManifestError, match="'text'"):
        read_tag_input(tmp_path / "x.jsonl")
    result = runner.invoke(app, ["tag", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "error:" in result.output


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ModelError, match="dialogic-tagger-v1"):
        resolve_artifact("no-such-tagger")


def test_commands_document_an_example():
    for command in ("train", "tag"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example: dialogic " + command in result.output


@pytest.mark.models
def test_labels_are_decided_on_unrounded_probabilities(tagger):
    import dataclasses

    from dialogic.tagging.tagger import tag_inputs

    item = TagInput(utterance_id=1, text="We could reduce it or wait a month, what would you prefer?")
    p = float(tagger.predict_array([item.text])[0][TAGS.index("option_discussion")])
    shown = round(p, 4)
    assert shown != p
    # A threshold between the probability and its 4-decimal rounding: rounding would flip the label.
    between = dataclasses.replace(tagger, thresholds={**tagger.thresholds, "option_discussion": (p + shown) / 2})
    (record,) = tag_inputs(between, [item])
    assert ("option_discussion" in record["labels"]) == (p > shown)
    assert record["probabilities"]["option_discussion"] == pytest.approx(p, abs=1e-12)
