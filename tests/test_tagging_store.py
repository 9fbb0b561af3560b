"""tag_meeting writes tags rows into a real DuckDB and keeps other model versions."""

import pytest
from builders import insert, participant, utterance
from fakes import RoleEcho

from dialogic.db import connect
from dialogic.errors import LookupFailed
from dialogic.store.tags import tag_meeting


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
        ("SPEAKER_00", "I was in hospital myself a few years ago, and it did get better."),
        ("SPEAKER_01", "We could lower the dose, or wait a month, what would you prefer?"),
        ("SPEAKER_02", "Shall we make a start?"),
    ]
    for i, (label, text) in enumerate(texts):
        insert(con, "utterances", utterance("m1", i, label, i * 5.0, i * 5.0 + 4, text))
    yield con
    con.close()


def test_rows_roles_and_replacement_of_the_same_version(con):
    fake = RoleEcho()
    assert tag_meeting(con, "m1", fake) == 12
    assert fake.seen_roles == ["peer", "clinician", None]
    assert tag_meeting(con, "m1", fake) == 12  # same version: replaced, not duplicated
    rows = con.execute("select utterance_id, tag, label from tags where label order by all").fetchall()
    assert rows == [("m1/u00000", "persuasion", True)]
    assert con.execute("select count(*) from tags").fetchone()[0] == 12
    assert con.execute("select thresholds from tagger_models").fetchone()[0] is not None


def test_a_new_version_keeps_the_old_rows(con):
    tag_meeting(con, "m1", RoleEcho())
    tag_meeting(con, "m1", RoleEcho(model_version="fake-tagger-v2", version=2))
    counts = con.execute("select model_version, count(*) from tags group by 1 order by 1").fetchall()
    assert counts == [("fake-tagger-v1", 12), ("fake-tagger-v2", 12)]
    newest = con.execute("select model_version from tagger_models order by activated_at desc limit 1").fetchone()[0]
    assert newest == "fake-tagger-v2"


def test_unknown_meeting(con):
    with pytest.raises(LookupFailed, match="nope"):
        tag_meeting(con, "nope", RoleEcho())


@pytest.mark.models
def test_committed_model_tags_a_stored_meeting(con):
    from dialogic.tagging.tagger import load_tagger

    tagger = load_tagger()
    assert tag_meeting(con, "m1", tagger) == 12
    labels = dict(
        con.execute("select utterance_id, list(tag order by tag) filter (where label) from tags group by 1").fetchall()
    )
    assert "peer_self_disclosure" in labels["m1/u00000"]
    assert "option_discussion" in labels["m1/u00001"]
    row = con.execute("select model_version, sha256, metrics from tagger_models").fetchone()
    assert row[0] == tagger.model_version and row[1] == tagger.sha256 and row[2] is not None
    assert con.execute("select distinct precision from tags").fetchall() == [(tagger.precision,)]


def test_a_meeting_without_utterances_writes_nothing(con):
    con.execute(
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) values ('m2', 'b.wav', 'given', ['analyse'])"
    )
    assert tag_meeting(con, "m2", RoleEcho()) == 0
    assert con.execute("select count(*) from tags where meeting_id = 'm2'").fetchone()[0] == 0


@pytest.mark.models
def test_dialogic_tag_on_a_file_and_the_tag_stage_agree(con, tmp_path):
    """The same utterances with the same roles give the same probabilities, labels and candidates
    whether tagged from a file or stored and counted by the views."""
    import json

    from typer.testing import CliRunner

    from dialogic.cli import app
    from dialogic.tagging.tagger import load_tagger

    tag_meeting(con, "m1", load_tagger())
    stored = con.execute(
        """
        select u.text, u.role, u.persuasion_p, u.option_discussion_p, u.preference_elicitation_p,
               u.peer_self_disclosure_p, u.persuasion_label, u.option_discussion_label,
               u.preference_elicitation_label, u.peer_self_disclosure_label, u.peer_self_disclosure_candidate
        from utterances_tagged as u order by u.utterance_index
        """
    ).fetchall()
    lines = [
        {"id": i, "text": text, "speaker_role": None if role == "unknown" else role}
        for i, (text, role, *_rest) in enumerate(stored)
    ]
    src = tmp_path / "same.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = CliRunner().invoke(app, ["tag", str(src)])
    assert result.exit_code == 0, result.output
    from_file = [json.loads(line) for line in result.stdout.splitlines()]
    tags = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
    for row, record in zip(stored, from_file, strict=True):
        probabilities, labels, candidate = row[2:6], row[6:10], row[10]
        assert [record["probabilities"][t] for t in tags] == pytest.approx(list(probabilities), abs=1e-6)
        assert [t for t, label in zip(tags, labels) if label] == record["labels"]
        assert bool(candidate) == ("peer_self_disclosure" in record["candidates"])
    # the fixture has a peer, a clinician and an unmapped speaker: the rule is exercised
    assert [r[1] for r in stored] == ["peer", "clinician", "unknown"]
