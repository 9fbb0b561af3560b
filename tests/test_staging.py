"""Staged meeting sets (`dialogic.staging`) and the one writer that stores them
(`dialogic.pipeline.store_staged`), on a hand-built meeting and a real DuckDB file: no models."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from dialogic.db import connect
from dialogic.db_content import content_differences, stored_content
from dialogic.errors import StagingError
from dialogic.keys import MeetingKey
from dialogic.manifest import Consent, MeetingSpec, Participant
from dialogic.options import PipelineOptions
from dialogic.pipeline import store_staged
from dialogic.records import (
    AttributedWord,
    AudioSummary,
    ComputedMeeting,
    Diarisation,
    SpeakerTurn,
    TaggerRecord,
    Transcript,
    Utterance,
    Word,
)
from dialogic.staging import (
    MARKER,
    PARTIAL_PREFIX,
    find_staged,
    read_staged,
    remove_all_sets,
    remove_partial_sets,
    stage_meeting,
    staged_folder,
)
from dialogic.tagging.codebook import TAGS

KEY = "ab" * 32
OTHER_KEY = "cd" * 32


def meeting_spec(tmp_path: Path, meeting_id: str = "m1") -> MeetingSpec:
    return MeetingSpec(
        id=meeting_id,
        audio=tmp_path / f"{meeting_id}.wav",
        consent=Consent("given", ("transcribe", "analyse"), "ref-1"),
        participants=(Participant("p1", "service_user"), Participant("p2", "clinician")),
    )


def computed(meeting_id: str = "m1", key: str = KEY) -> ComputedMeeting:
    """Two speakers, five words in two utterances, tags for both: every kind of staged value
    (a None speaker, a None embedding, a tag role) appears at least once."""
    words = [
        AttributedWord(Word(0.5, 0.9, "Hello", 0.91), "SPEAKER_00"),
        AttributedWord(Word(0.95, 1.3, "there.", 0.8734), "SPEAKER_00"),
        AttributedWord(Word(2.0, 2.4, "How", 0.5), "SPEAKER_01"),
        AttributedWord(Word(2.4, 2.61, "are", 0.99), "SPEAKER_01"),
        AttributedWord(Word(2.7, 3.123, "you?", 0.1234567), None),
    ]
    utterances = [
        Utterance(0, "SPEAKER_00", 0.5, 1.3, [w.word for w in words[:2]]),
        Utterance(1, "SPEAKER_01", 2.0, 3.123, [w.word for w in words[2:]]),
    ]
    turns = [
        SpeakerTurn("SPEAKER_00", 0.4, 1.4),
        SpeakerTurn("SPEAKER_01", 1.9, 3.2),
        SpeakerTurn("SPEAKER_00", 3.0, 3.1),
    ]
    diarisation = Diarisation(
        turns=turns,
        exclusive_turns=turns[:2],
        speakers=["SPEAKER_00", "SPEAKER_01"],
        embeddings={"SPEAKER_00": (0.6, 0.8, 0.0)},
    )
    ids = [f"{meeting_id}/u{i:05d}" for i in range(2)]
    tag_rows = pa.table(
        {
            "utterance_id": pa.array([u for u in ids for _ in TAGS], pa.string()),
            "tag": pa.array([t for _ in ids for t in TAGS], pa.string()),
            "probability": pa.array([0.1 * (i + 1) / 3 for i in range(2 * len(TAGS))], pa.float64()),
            "label": pa.array([i % 3 == 0 for i in range(2 * len(TAGS))], pa.bool_()),
            "threshold": pa.array([0.5] * (2 * len(TAGS)), pa.float64()),
        }
    )
    return ComputedMeeting(
        meeting_id=meeting_id,
        processing_key=key,
        audio=AudioSummary(Path(f"/audio/{meeting_id}.wav"), "f" * 64, 30.0000625),
        transcript=Transcript(
            [w.word for w in words], language="en", model="base", model_sha256="e" * 64, language_probability=0.97
        ),
        diarisation=diarisation,
        words=words,
        utterances=utterances,
        warnings=["little speech"],
        tagger=TaggerRecord(
            "dialogic-tagger-v9", "dialogic-tagger", 9, {t: 0.5 for t in TAGS}, "fp32", "9" * 64, {"recipe": None}
        ),
        tag_rows=tag_rows,
        tag_roles=[None, None],
        timings_s={"decode": 0.25, "diarise": 3.5},
    )


def test_a_staged_set_reads_back_exactly(tmp_path):
    original = computed()
    folder = stage_meeting(tmp_path / "staging", original)
    assert folder == staged_folder(tmp_path / "staging", "m1", KEY)
    assert find_staged(tmp_path / "staging", "m1", KEY) == folder
    assert read_staged(folder, meeting_id="m1", processing_key=KEY) == original
    assert not [p for p in (tmp_path / "staging").iterdir() if p.name.startswith(PARTIAL_PREFIX)]
    marker = json.loads((folder / MARKER).read_text())
    assert set(marker["files"]) == {p.name for p in folder.iterdir()} - {MARKER}


def test_staged_twice_is_one_set_and_the_first_is_kept(tmp_path):
    first = stage_meeting(tmp_path, computed())
    again = computed()
    again = ComputedMeeting(**{**again.__dict__, "warnings": ["from the second try"]})
    assert stage_meeting(tmp_path, again) == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    assert read_staged(first, meeting_id="m1", processing_key=KEY).warnings == ["little speech"]


def test_an_altered_set_under_the_final_name_is_replaced_by_a_fresh_one(tmp_path):
    folder = stage_meeting(tmp_path, computed())
    (folder / "words.parquet").write_bytes(b"truncated")
    assert stage_meeting(tmp_path, computed()) == folder
    assert read_staged(folder, meeting_id="m1", processing_key=KEY) == computed()


def test_a_partial_set_is_never_found_and_is_removed(tmp_path):
    stage_meeting(tmp_path, computed())
    # what a worker killed before its rename leaves, and a final folder without its marker
    partial = tmp_path / f"{PARTIAL_PREFIX}m2.{KEY}-0123456789ab"
    partial.mkdir()
    (partial / "words.parquet").write_bytes(b"half a file")
    unmarked = stage_meeting(tmp_path, computed("m3"))
    (unmarked / MARKER).unlink()
    assert find_staged(tmp_path, "m2", KEY) is None
    assert find_staged(tmp_path, "m3", KEY) is None
    with pytest.raises(StagingError, match="incomplete staged set"):
        read_staged(unmarked, meeting_id="m3", processing_key=KEY)
    assert remove_partial_sets(tmp_path) == [partial]
    assert not partial.exists()
    assert find_staged(tmp_path, "m1", KEY) is not None


@pytest.mark.parametrize("damaged", ["words.parquet", "meeting.json", "tags.parquet"])
def test_a_file_that_differs_from_its_checksum_is_refused(tmp_path, damaged):
    folder = stage_meeting(tmp_path, computed())
    data = bytearray((folder / damaged).read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    (folder / damaged).write_bytes(bytes(data))
    with pytest.raises(StagingError, match=f"{damaged}: sha256 .* differs"):
        read_staged(folder, meeting_id="m1", processing_key=KEY)


def test_a_set_of_another_meeting_or_key_is_refused(tmp_path):
    folder = stage_meeting(tmp_path, computed())
    with pytest.raises(StagingError, match="expected 'm1' with key 'cdcd"):
        read_staged(folder, meeting_id="m1", processing_key=OTHER_KEY)
    with pytest.raises(StagingError, match="expected 'm9'"):
        read_staged(folder, meeting_id="m9", processing_key=KEY)


def test_remove_all_sets_leaves_other_files(tmp_path):
    stage_meeting(tmp_path / "s", computed())
    (tmp_path / "s" / "notes.txt").write_text("mine")
    remove_all_sets(tmp_path / "s")
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["notes.txt"]
    (tmp_path / "s" / "notes.txt").unlink()
    stage_meeting(tmp_path / "s", computed())
    remove_all_sets(tmp_path / "s")
    assert not (tmp_path / "s").exists()


# --- the writer ---------------------------------------------------------------------------------


def store(con, tmp_path: Path, folder: Path, key: str = KEY, options: PipelineOptions = PipelineOptions()):
    """Store a staged set as the writer does once a meeting passed its consent and hash stages."""
    meeting_key = MeetingKey(key, "f" * 64, None, ({"name": "base", "kind": "asr", "sha256": "e" * 64},))
    return store_staged(
        con, meeting_spec(tmp_path), options, meeting_key, folder, manifest_path=str(tmp_path / "manifest.yaml")
    )


def test_the_writer_stores_a_set_once_in_one_transaction_and_removes_it(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    staging = tmp_path / "staging"
    result = store(con, tmp_path, stage_meeting(staging, computed()))
    assert (result.status, result.words, result.utterances, result.speakers) == ("processed", 5, 2, 2)
    assert not find_staged(staging, "m1", KEY)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    assert q("select meeting_id, processing_key, duration_s, language, audio_warnings from meetings") == [
        ("m1", KEY, 30.0, "en", ["little speech"])
    ]
    assert q("select word_index, utterance_id, speaker_label, start_s, word, probability from words order by 1") == [
        (0, "m1/u00000", "SPEAKER_00", 0.5, "Hello", 0.91),
        (1, "m1/u00000", "SPEAKER_00", 0.95, "there.", 0.8734),
        (2, "m1/u00001", "SPEAKER_01", 2.0, "How", 0.5),
        (3, "m1/u00001", "SPEAKER_01", 2.4, "are", 0.99),
        (4, "m1/u00001", None, 2.7, "you?", 0.1234567),
    ]
    assert q("select utterance_id, text from utterances order by 1") == [
        ("m1/u00000", "Hello there."),
        ("m1/u00001", "How are you?"),
    ]
    assert q("select track, count(*) from turns group by 1 order by 1") == [("exclusive", 2), ("overlap", 3)]
    # embeddings are stored as float32
    assert q(
        "select speaker_label, speech_s, list_transform(embedding, x -> round(x::double, 6)) from speakers order by 1"
    ) == [
        ("SPEAKER_00", 1.1, [0.6, 0.8, 0.0]),
        ("SPEAKER_01", 1.3, None),
    ]
    assert q("select count(*), count(distinct utterance_id), min(model_version) from tags") == [
        (2 * len(TAGS), 2, "dialogic-tagger-v9")
    ]
    assert q("select model_version, version, sha256 from tagger_models") == [("dialogic-tagger-v9", 9, "9" * 64)]
    assert q("select status, processing_key, timings_s::json->>'diarise' from pipeline_runs") == [
        ("processed", KEY, "3.5")
    ]
    con.close()
    before = stored_content(db)

    # the same meeting staged again (a retried task) and loaded again: stored once
    con = connect(db)
    assert store(con, tmp_path, stage_meeting(staging, computed())).status == "unchanged"
    con.close()
    after = stored_content(db)
    assert {t: rows for t, rows in after.items() if t != "pipeline_runs"} == {
        t: rows for t, rows in before.items() if t != "pipeline_runs"
    }
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select status from pipeline_runs order by started_at").fetchall() == [
        ("processed",),
        ("unchanged",),
    ]
    con.close()


def test_the_writer_refuses_a_damaged_set_and_stores_nothing_of_it(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    folder = stage_meeting(tmp_path / "staging", computed())
    with open(folder / "utterances.parquet", "r+b") as f:
        f.truncate(os.path.getsize(folder / "utterances.parquet") - 7)
    result = store(con, tmp_path, folder)
    assert result.status == "failed"
    assert "utterances.parquet: sha256" in result.reason and str(folder) in result.reason
    assert not folder.exists()  # a later batch computes it again
    assert con.execute("select count(*) from words").fetchone() == (0,)
    assert con.execute("select status, processing_key from pipeline_runs").fetchall() == [("failed", KEY)]
    con.close()


def test_staged_tags_read_with_outdated_roles_are_not_stored(tmp_path):
    """A set computed before someone mapped its speakers carries tags predicted without the
    speakers' roles: the store's change rule tags the recast utterances again instead of keeping
    them (here the tagger named cannot be loaded, so the meeting's rows are stored without those
    tags, and its run, as recorded, says that tagging failed: the next run tags what is missing)."""
    con = connect(tmp_path / "w.duckdb")
    assert store(con, tmp_path, stage_meeting(tmp_path / "s", computed())).status == "processed"
    con.execute("update speakers set participant_id = 'p1' where speaker_label = 'SPEAKER_00'")
    stale = computed(key=OTHER_KEY)
    stale = ComputedMeeting(
        **{
            **stale.__dict__,
            "tag_rows": stale.tag_rows.set_column(2, "probability", pa.array([0.99] * (2 * len(TAGS)))),
        }
    )
    options = PipelineOptions(tagger="no-such-tagger-v1")
    result = store(con, tmp_path, stage_meeting(tmp_path / "s", stale), key=OTHER_KEY, options=options)
    assert result.status == "failed" and result.reason.startswith("tag: ")
    recorded = con.execute("select status, reason from pipeline_runs order by started_at desc limit 1").fetchone()
    assert recorded == (result.status, result.reason)
    assert con.execute("select processing_key from meetings").fetchall() == [(OTHER_KEY,)]
    # the recast speaker's utterances lost their stale tags; the other speaker's, read with the
    # role it still has (none), keep theirs
    stale_tags = con.execute(
        "select u.speaker_label, count(t.tag) from utterances as u "
        "left join tags as t on t.utterance_id = u.utterance_id and t.probability = 0.99 group by all order by all"
    ).fetchall()
    assert stale_tags == [("SPEAKER_00", 0), ("SPEAKER_01", len(TAGS))]
    assert con.execute("select participant_id from speakers where speaker_label = 'SPEAKER_00'").fetchone() == ("p1",)
    con.close()


def test_stored_content_ignores_only_when_and_which_run(tmp_path):
    for name in ("a", "b"):
        con = connect(tmp_path / f"{name}.duckdb")
        store(con, tmp_path, stage_meeting(tmp_path / name, computed()))
        con.close()
    assert content_differences(tmp_path / "a.duckdb", tmp_path / "b.duckdb") == []
    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("update words set probability = 0.9100001 where word_index = 0")
    con.execute("update meetings set processed_at = ?", [dt.datetime(2020, 1, 1)])
    con.close()
    differences = content_differences(tmp_path / "a.duckdb", tmp_path / "b.duckdb")
    assert len(differences) == 1 and differences[0].startswith("words: 5 rows vs 5")
