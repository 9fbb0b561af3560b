"""Role-blind context taggers (issue #23): what each artifact reads, contexts in the tag store,
and — on the committed role-blind v5 and v6 — identical probabilities whatever the role."""

from dataclasses import dataclass, field

import pytest
from builders import insert, participant, utterance

from dialogic.db import connect
from dialogic.errors import ModelError
from dialogic.store.tags import retag_utterances, tag_meeting
from dialogic.tagging.codebook import TAGS, apply_role_rules
from dialogic.tagging.encoder import CONTEXT_WORDS, InputSpec, Turn, contexts_from_sequence, format_context
from dialogic.tagging.tag_store import predict_tag_rows


def test_input_spec_from_manifests():
    assert InputSpec.from_manifest({"model_version": "x-v3"}) == InputSpec(role=True, context=0)
    assert InputSpec.from_manifest({"input": {"role": False, "context": 1}}) == InputSpec(role=False, context=1)
    with pytest.raises(ModelError, match="x-v9: unreadable input spec"):
        InputSpec.from_manifest({"model_version": "x-v9", "input": {"role": False, "speaker": 1}})


def test_contexts_mark_same_and_other_speaker():
    contexts = contexts_from_sequence(["a", "b", "c", "d"], ["S1", "S2", "S2", None], 1)
    assert contexts == [(), (Turn("a", False),), (Turn("b", True),), (Turn("c", None),)]
    two = contexts_from_sequence(["a", "b", "c"], None, 2)
    assert two[2] == (Turn("a", None), Turn("b", None))
    assert format_context(two[2], 2) == "[other] a [other] b"
    assert format_context(contexts[2], 1) == "[same] b"
    long = format_context((Turn(" ".join(f"w{i}" for i in range(100)), False),), 1)
    assert long.split() == [f"w{i}" for i in range(100 - CONTEXT_WORDS, 100)]  # the words nearest the utterance
    assert format_context((), 1) == "" and format_context(contexts[2], 0) == ""


@dataclass
class ContextEcho:
    """A fake context tagger for the store's own logic: persuasion 0.9 when the previous
    utterance was another speaker's, else 0.1; records what it was given."""

    model_version: str = "ctx-tagger-v1"
    name: str = "ctx-tagger"
    version: int = 1
    input_spec: InputSpec = InputSpec(role=False, context=1)
    thresholds: dict = field(default_factory=lambda: {t: 0.5 for t in TAGS})
    seen: list = field(default_factory=list)

    def predict(self, texts, roles=None, contexts=None):
        self.seen += list(zip(texts, contexts))
        return [
            {t: 0.9 if t == "persuasion" and c and c[-1].same_speaker is False else 0.1 for t in TAGS} for c in contexts
        ]


def test_predict_rows_gets_each_utterance_after_the_one_before():
    fake = ContextEcho()
    rows = predict_tag_rows(
        fake, ["u0", "u1", "u2"], ["one", "two", "three"], [None] * 3, speakers=["A", "B", "B"], batch_size=2
    )
    assert fake.seen == [("one", ()), ("two", (Turn("one", False),)), ("three", (Turn("two", True),))]
    labelled = {r["utterance_id"] for r in rows.to_pylist() if r["label"]}
    assert labelled == {"u1"}  # batch boundaries do not cut the context
    fake.seen.clear()
    predict_tag_rows(fake, ["u0", "u1", "u2"], ["one", "two", "three"], [None] * 3, speakers=None, only={"u2"})
    assert fake.seen == [("three", (Turn("two", None),))]


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "t.duckdb")
    con.execute(
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) values ('m1', 'a.wav', 'given', ['analyse'])"
    )
    insert(con, "participants", participant("m1", "p1", "peer"), participant("m1", "p2", "clinician"))
    con.execute(
        "insert into speakers (meeting_id, speaker_label, participant_id, speech_s) values "
        "('m1', 'SPEAKER_00', 'p1', 10), ('m1', 'SPEAKER_01', 'p2', 10), ('m1', 'SPEAKER_02', null, 3)"
    )
    texts = [
        ("SPEAKER_01", "I'd really rather not take the tablets any more."),
        ("SPEAKER_00", "I was on those tablets myself for years, and it did get better for me."),
        ("SPEAKER_01", "I've heard you, and I'll say it again, you need to keep taking them."),
        ("SPEAKER_02", "Shall we have a break?"),
    ]
    for i, (label, text) in enumerate(texts):
        insert(con, "utterances", utterance("m1", i, label, i * 5.0, i * 5.0 + 4, text))
    yield con
    con.close()


def test_a_correction_retags_the_next_utterance_of_a_context_model(con):
    fake = ContextEcho()
    tag_meeting(con, "m1", fake)
    con.execute("insert into tags select * replace ('other-v1' as model_version) from tags")
    fake.seen.clear()
    retag_utterances(con, "m1", ["m1/u00001"], [], fake)
    assert [text for text, _ in fake.seen] == [
        "I was on those tablets myself for years, and it did get better for me.",
        "I've heard you, and I'll say it again, you need to keep taking them.",
    ]
    per_version = con.execute(
        "select model_version, count(distinct utterance_id) from tags group by 1 order by 1"
    ).fetchall()
    # the changed utterance loses every version's rows; its neighbour keeps the other version's
    assert per_version == [("ctx-tagger-v1", 4), ("other-v1", 3)]


@pytest.fixture(scope="module", params=["dialogic-tagger-v5", "dialogic-tagger-v6"])
def role_blind(request):
    """The committed role-blind versions (held back from being the default,
    docs/tagger-v5-notes.md, docs/tagger-v6-notes.md): they read the previous turn and never the
    role; their weights are checked against their sha256 on load."""
    from dialogic.tagging.tagger import load_tagger

    tagger = load_tagger(request.param)
    assert tagger.input_spec == InputSpec(role=False, context=1)
    return tagger


@pytest.mark.models
def test_role_blind_probabilities_do_not_depend_on_the_role(role_blind):
    """Every utterance of the rules set, under every role and none: identical probabilities."""
    from dialogic.tagging.outside import load_rules_set

    rows, _ = load_rules_set()
    texts, contexts = [r.text for r in rows], [r.context() for r in rows]
    base = role_blind.predict_array(texts, None, contexts)
    for role in ("peer", "clinician", "service_user"):
        assert (role_blind.predict_array(texts, [role] * len(texts), contexts) == base).all()
    shuffled = [rows[(i + 7) % len(rows)].speaker_role for i in range(len(rows))]
    assert (role_blind.predict_array(texts, shuffled, contexts) == base).all()


@pytest.mark.models
def test_v3_still_reads_the_role():
    from dialogic.tagging.tagger import load_tagger

    v3 = load_tagger("dialogic-tagger-v3")
    assert v3.input_spec == InputSpec(role=True, context=0)
    text = ["I was sectioned myself once, so I know how frightening it is."]
    assert (v3.predict_array(text, ["peer"]) != v3.predict_array(text, ["service_user"])).any()


@pytest.mark.models
def test_mapping_a_speaker_changes_only_the_role_rule(con, role_blind):
    """Tags stored before and after a speaker is mapped are the same rows; what counts changes
    only by the codebook's role rule."""
    tag_meeting(con, "m1", role_blind)
    query = "select utterance_id, tag, probability, label from tags order by all"
    before = con.execute(query).fetchall()
    con.execute("update speakers set participant_id = 'p1' where speaker_label = 'SPEAKER_02'")
    tag_meeting(con, "m1", role_blind)
    assert con.execute(query).fetchall() == before
    labels = [t for u, t, _, label in before if u == "m1/u00001" and label]
    assert "peer_self_disclosure" in labels
    assert apply_role_rules(labels, "peer")[0] == labels
    assert "peer_self_disclosure" not in apply_role_rules(labels, "clinician")[0]
    assert "peer_self_disclosure" in apply_role_rules(labels, None)[1]


def test_a_held_back_version_is_loadable_by_version_but_not_the_default(tmp_path):
    import json

    from dialogic.tagging.artifacts import resolve_artifact

    for version, extra in ((3, {}), (4, {"default": False})):
        folder = tmp_path / f"dialogic-tagger-v{version}"
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"model_version": folder.name, **extra}))
    assert resolve_artifact(None, tmp_path).name == "dialogic-tagger-v3"
    assert resolve_artifact("dialogic-tagger", tmp_path).name == "dialogic-tagger-v3"
    assert resolve_artifact("dialogic-tagger-v4", tmp_path).name == "dialogic-tagger-v4"
    (tmp_path / "dialogic-tagger-v4" / "manifest.json").write_text(json.dumps({"model_version": "dialogic-tagger-v4"}))
    assert resolve_artifact(None, tmp_path).name == "dialogic-tagger-v4"
