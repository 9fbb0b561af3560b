"""dialogic.speakers on real DuckDB files: list, merge, suggest; and mappings that follow voices
through a real re-run of the bundled recording."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from builders import build_fixture_db, insert, participant, utterance

from dialogic.db import connect
from dialogic.errors import LookupFailed
from dialogic.speakers import list_speakers, suggest_mappings
from dialogic.store.speakers import merge_speakers


def test_list_names_an_unknown_meeting(tmp_path):
    con = build_fixture_db(tmp_path / "l.duckdb")
    with pytest.raises(LookupFailed, match="no meeting 'nope'"):
        list_speakers(con, "nope")
    assert [s["speaker_label"] for s in list_speakers(con, "fx")] == ["S0", "S1", "S2", "S3", "S4"]
    con.close()


def test_merging_a_fragment_moves_its_speech_and_keeps_the_facts_fresh(tmp_path):
    con = build_fixture_db(tmp_path / "m.duckdb")
    merged = merge_speakers(con, "fx", "S4", "S2")
    # S2's overlap turns 0-10.2, 21-30, 48-57 and S4's 47-49: their union is 10.2 + 9 + 10 s
    assert merged["speech_s"] == pytest.approx(29.2) and merged["participant_id"] == "doc"
    assert [s["speaker_label"] for s in list_speakers(con, "fx")] == ["S0", "S1", "S2", "S3"]
    assert con.execute("select speaker_label from utterances where utterance_id = 'fx/u00007'").fetchone() == ("S2",)
    assert con.execute("select count(*) from turns where speaker_label = 'S4'").fetchone() == (0,)
    # the views follow: u7 is the doctor's now, and no unmapped voice is left
    voices = dict(
        con.execute("select voice_id, speech_s from voice_share_participant where meeting_id = 'fx'").fetchall()
    )
    assert "unmapped:S4" not in voices and voices["doc"] == pytest.approx(26.0)
    from dialogic.paths import sql_dir

    for check in sorted((sql_dir() / "tests").glob("assert_*_fresh.sql")):
        assert con.execute(check.read_text()).fetchall() == [], check.name
    con.close()


def test_merging_two_people_mapped_to_different_participants_is_refused(tmp_path):
    con = build_fixture_db(tmp_path / "r.duckdb")
    with pytest.raises(LookupFailed, match="S0 is mapped to su and S1 to mum; unmap one first"):
        merge_speakers(con, "fx", "S0", "S1")
    with pytest.raises(LookupFailed, match="no speaker 'S9'"):
        merge_speakers(con, "fx", "S9", "S1")
    con.close()


def test_suggestions_come_from_meetings_where_the_person_was_mapped(tmp_path):
    con = build_fixture_db(tmp_path / "s.duckdb")
    # meeting fz: Dr Lee (person dr-lee) again, not yet mapped; fx: Dr Lee mapped as 'doc' to S2
    con.execute("update participants set person_id = 'dr-lee' where meeting_id = 'fx' and participant_id = 'doc'")
    con.execute("update speakers set embedding = [1.0, 0.0, 0.0] where meeting_id = 'fx' and speaker_label = 'S2'")
    con.execute("update speakers set embedding = [0.0, 1.0, 0.0] where meeting_id = 'fx' and speaker_label = 'S0'")
    insert(
        con,
        "meetings",
        {"meeting_id": "fz", "audio_path": "fz.wav", "consent_status": "given", "consent_scope": ["transcribe"]},
    )
    insert(
        con,
        "participants",
        participant("fz", "p1", "clinician", person_id="dr-lee"),
        participant("fz", "p2", "service_user"),
    )
    insert(
        con,
        "speakers",
        {"meeting_id": "fz", "speaker_label": "SPEAKER_00", "speech_s": 5.0, "embedding": [0.1, 0.99, 0.0]},
        {"meeting_id": "fz", "speaker_label": "SPEAKER_01", "speech_s": 9.0, "embedding": [0.96, 0.2, 0.1]},
    )
    insert(con, "utterances", utterance("fz", 0, "SPEAKER_00", 0, 5, "hello"))
    got = suggest_mappings(con, "fz")
    assert [(s.speaker_label, s.participant_id) for s in got] == [("SPEAKER_00", "p1"), ("SPEAKER_01", "p1")]
    by_label = {s.speaker_label: s.similarity for s in got}
    assert by_label["SPEAKER_01"] > 0.9 > 0.2 > by_label["SPEAKER_00"]
    with pytest.raises(LookupFailed):
        suggest_mappings(con, "nope")
    con.close()


@pytest.mark.models
def test_a_rerun_moves_a_mapping_to_the_voice_not_the_label(processed_sample, tmp_path):
    from dialogic.manifest import load_manifest
    from dialogic.options import PipelineOptions
    from dialogic.pipeline import process_manifest

    db_path = tmp_path / "voices.duckdb"
    shutil.copyfile(processed_sample[0], db_path)
    con = connect(db_path)
    assert con.execute("select count(*) from speakers where embedding is not null").fetchone() == (2,)
    # The service user (p1) is mapped to the voice that speaks first; then the stored labels are
    # swapped, as a re-run with other options may give them out.
    con.execute("update speakers set participant_id = 'p1', mapped_by = 'rater' where speaker_label = 'SPEAKER_00'")
    for table in ("speakers", "turns", "utterances", "words"):
        con.execute(f"""update {table} set speaker_label = case speaker_label when 'SPEAKER_00' then 'SPEAKER_01'
                        else 'SPEAKER_00' end where meeting_id = 'sample'""")
    con.close()
    options = PipelineOptions(align=dataclasses.replace(PipelineOptions().align, max_pause_s=0.8))
    (result,) = process_manifest(db_path, load_manifest(processed_sample[0].parent / "manifest.yaml"), options).results
    assert result.status == "processed", result.reason
    assert [(c.participant_id, c.from_label, c.to_label, c.action) for c in result.mapping_changes] == [
        ("p1", "SPEAKER_01", "SPEAKER_00", "moved")
    ]
    con = connect(db_path, read_only=True)
    # the label alone would have kept SPEAKER_01=p1: the other person's speech
    assert con.execute("select speaker_label, participant_id, mapped_by from speakers order by 1").fetchall() == [
        ("SPEAKER_00", "p1", "rater"),
        ("SPEAKER_01", None, None),
    ]
    assert con.execute("select action, reason from speaker_mapping_changes").fetchall() == [
        ("moved", "the voice of SPEAKER_01 is now SPEAKER_00")
    ]
    con.close()
