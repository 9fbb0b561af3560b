"""Consent withdrawal on real DuckDB files: nothing withdrawn stays, not even in the file's bytes."""

from __future__ import annotations

import json

import pytest
from builders import build_fixture_db, insert
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.consent import withdraw_meeting, withdraw_participant
from dialogic.db import connect
from dialogic.errors import LookupFailed
from dialogic.paths import sql_dir

MARKER = "zq-unique-marker-7781"


def fixture_with_marker(path):
    """The analytics fixture, with a marker in the mother's utterance and in a rater's note on it."""
    con = build_fixture_db(path)
    con.execute(f"update utterances set text = text || ' {MARKER}' where utterance_id = 'fx/u00006'")
    text = con.execute("select text from utterances where utterance_id = 'fx/u00006'").fetchone()[0]
    insert(
        con,
        "ratings",
        {
            "rater_id": "alice",
            "utterance_id": "fx/u00006",
            "meeting_id": "fx",
            "tag": "persuasion",
            "value": True,
            "note": f"note {MARKER}",
            "utterance_text": text,
        },
    )
    insert(
        con,
        "words",
        {
            "meeting_id": "fx",
            "word_index": 0,
            "utterance_id": "fx/u00006",
            "speaker_label": "S1",
            "start_s": 40.0,
            "end_s": 41.0,
            "word": MARKER,
            "probability": 0.9,
        },
    )
    con.execute("checkpoint")
    con.close()
    assert MARKER.encode() in path.read_bytes()


def test_withdrawing_a_meeting_leaves_no_byte_of_it(tmp_path):
    db = tmp_path / "w.duckdb"
    fixture_with_marker(db)
    removed = withdraw_meeting(db, "fx", "form-2026-044", by="dpo")
    assert removed["utterances"] == 9 and removed["ratings"] == 1 and removed["meetings"] == 1
    assert MARKER.encode() not in db.read_bytes()
    con = connect(db)
    assert con.execute("select count(*) from utterances where meeting_id = 'fx'").fetchone() == (0,)
    assert con.execute("select count(*) from utterances where meeting_id = 'fy'").fetchone() == (1,)  # others stay
    (row,) = con.execute(
        "select meeting_id, participant_id, reference, withdrawn_by, rows_removed from consent_withdrawals"
    ).fetchall()
    assert row[:4] == ("fx", None, "form-2026-044", "dpo") and json.loads(row[4])["utterances"] == 9
    for check in sorted((sql_dir() / "tests").glob("assert_*.sql")):
        assert con.execute(check.read_text()).fetchall() == [], check.name
    con.close()


def test_withdrawing_a_participant_removes_their_speech_and_marks_the_meeting_incomplete(tmp_path):
    db = tmp_path / "p.duckdb"
    fixture_with_marker(db)
    removed = withdraw_participant(db, "fx", "mum", "form-2026-045")
    assert removed["utterances"] == 1 and removed["speakers"] == 1 and removed["participants"] == 1
    assert MARKER.encode() not in db.read_bytes()
    con = connect(db, read_only=True)
    assert con.execute("select count(*) from utterances where meeting_id = 'fx'").fetchone() == (8,)
    assert con.execute("select withdrawn_participants from meetings where meeting_id = 'fx'").fetchone() == (["mum"],)
    roles = dict(
        con.execute("select voice_id, speech_s from voice_share_participant where meeting_id = 'fx'").fetchall()
    )
    assert "mum" not in roles and roles["doc"] == 24.0
    assert con.execute("select consent_note from balance where meeting_id = 'fx'").fetchone() == (
        "incomplete: the speech of 1 participant was withdrawn",
    )
    con.close()


def test_withdrawal_needs_a_reference_and_a_known_meeting(tmp_path):
    db = tmp_path / "e.duckdb"
    build_fixture_db(db).close()
    with pytest.raises(LookupFailed, match="consent reference is required"):
        withdraw_meeting(db, "fx", " ")
    with pytest.raises(LookupFailed, match="no meeting 'nope'"):
        withdraw_meeting(db, "nope", "form-1")
    with pytest.raises(LookupFailed, match="no participant 'ghost'"):
        withdraw_participant(db, "fx", "ghost", "form-1")
    con = connect(db)
    audio = tmp_path / "fx.wav"
    audio.write_bytes(b"RIFF")
    con.execute("update meetings set audio_path = ? where meeting_id = 'fx'", [str(audio)])
    con.close()
    result = CliRunner().invoke(app, ["consent", "withdraw", "fx", "--reference", "form-9", "--db", str(db)])
    assert result.exit_code == 0 and "withdrew meeting fx (form-9)" in result.output
    # the recording is the researcher's: dialogic names it rather than deleting it silently or not at all
    assert f"The recording {audio} is not dialogic's to delete" in " ".join(result.output.split())
    assert audio.exists()
    again = CliRunner().invoke(app, ["consent", "withdraw", "fx", "--reference", "form-9", "--db", str(db)])
    # a re-run of a finished withdrawal says so, and changes nothing
    assert again.exit_code == 0 and "meeting fx was already withdrawn (form-9" in again.output
    other = ["consent", "withdraw", "fy", "--participant", "x", "--reference", "f", "--db", str(db)]
    refused = CliRunner().invoke(app, other)
    assert refused.exit_code == 1 and "no participant 'x'" in refused.output


def test_views_analyse_only_meetings_whose_consent_covers_analysis(tmp_path):
    from builders import refresh

    con = build_fixture_db(tmp_path / "a.duckdb")
    counted = "select count(*) from voice_share_role where meeting_id = 'fx'"
    assert con.execute(counted).fetchone()[0] > 0
    con.execute("update meetings set consent_scope = ['transcribe', 'review'] where meeting_id = 'fx'")
    refresh(con, "fx")
    assert con.execute(counted).fetchone() == (0,)
    assert con.execute("select count(*) from sdm_option5_proxy where meeting_id = 'fx'").fetchone() == (0,)
    assert con.execute("select count(*) from utterances where meeting_id = 'fx'").fetchone() == (9,)  # still stored
    con.execute("update meetings set consent_status = 'given', consent_scope = ['analyse'] where meeting_id = 'fx'")
    refresh(con, "fx")
    assert con.execute(counted).fetchone()[0] > 0
    con.close()
