"""Undoing corrections in a real DuckDB file: every kind of correction is put back by a revert
revision (the history only grows), the tags and facts follow, an undo can be redone, a revert
that a later correction would contradict is refused, and a re-run replays undone pairs as if
neither had been made."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fakes import WordEcho
from test_corrections_revision_store import MACHINE, VOICE, store_run, texts, zero_row_assertions

from dialogic.corrections.edits import EditWords, Merge, Reassign, RenameSpeaker, Revert, Split
from dialogic.db import connect
from dialogic.errors import EditRefused
from dialogic.store.corrections import correct, load_transcript
from dialogic.store.facts import refresh_meeting_facts


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "r.duckdb")
    store_run(con, MACHINE, tagger=WordEcho())
    for label, pid in VOICE.items():
        con.execute("update speakers set participant_id = ? where speaker_label = ?", [pid, label])
    refresh_meeting_facts(con, "mc")  # as speakers map does
    yield con
    con.close()


def machine_words(con) -> list[tuple]:
    return con.execute(
        "select utterance_id, speaker_label, word, start_s, end_s, probability from words order by word_index"
    ).fetchall()


def revisions(con) -> list[tuple]:
    return con.execute("select revision_id, kind, target_ids from transcript_revisions order by revision_id").fetchall()


EDITS = [
    Reassign("mc/u00002", "SPEAKER_02"),
    Reassign("mc/u00003", "Dad", from_word=2, to_word=3),  # a part, to a new speaker
    EditWords("mc/u00001", "I take risperidone daily."),
    EditWords("mc/u00005", ""),  # removes the utterance
    Split("mc/u00003", 4),
    Merge("mc/u00004", "mc/u00005"),
    RenameSpeaker("SPEAKER_02", "Mum"),
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: f"{e.kind}-{getattr(e, 'utterance_id', '')}")
def test_each_correction_is_undone_by_a_revert_and_can_be_redone(con, edit):
    tagger = WordEcho()
    before, words, facts = (
        texts(con),
        machine_words(con),
        con.execute("select * from voice_share_participant order by all").fetchall(),
    )
    tags = con.execute("select utterance_id, tag, probability from stg_current_tags order by all").fetchall()
    done = correct(con, "mc", edit, "alice", tagger=tagger)
    changed = texts(con)
    assert changed != before

    undo = correct(con, "mc", Revert(done.revision_id), "bob", tagger=tagger)
    assert texts(con) == before and machine_words(con) == words  # the words and times the machine heard
    assert con.execute("select * from voice_share_participant order by all").fetchall() == facts
    assert con.execute("select utterance_id, tag, probability from stg_current_tags order by all").fetchall() == tags
    assert revisions(con) == [
        (done.revision_id, edit.kind, done_targets(con, done.revision_id)),
        (undo.revision_id, "revert", [f"revision {done.revision_id}"]),
    ]
    assert con.execute("select count(*) from transcript_word_error_rate where revisions > 0").fetchone()[0] in (0, 1)
    assert zero_row_assertions(con) == {}
    if isinstance(edit, RenameSpeaker):
        labels = {r[0] for r in con.execute("select speaker_label from speakers").fetchall()}
        assert "SPEAKER_02" in labels and "Mum" not in labels
        assert con.execute("select participant_id from speakers where speaker_label = 'SPEAKER_02'").fetchone() == (
            "mum",
        )

    with pytest.raises(EditRefused, match="undone already"):
        correct(con, "mc", Revert(done.revision_id), "bob", tagger=tagger)
    correct(con, "mc", Revert(undo.revision_id), "bob", tagger=tagger)  # redo
    assert texts(con) == [(i, uid, s, t) for i, uid, s, t in changed]


def done_targets(con, revision_id: int) -> list[str]:
    return con.execute("select target_ids from transcript_revisions where revision_id = ?", [revision_id]).fetchone()[0]


def test_an_undo_that_a_later_correction_contradicts_is_refused_and_changes_nothing(con):
    tagger = WordEcho()
    split = correct(con, "mc", Split("mc/u00003", 4), "alice", tagger=tagger)
    correct(con, "mc", EditWords("mc/r1.1", "yes I do agree"), "alice", tagger=tagger)
    state = texts(con), revisions(con)
    with pytest.raises(EditRefused, match="a later correction changed mc/r1.1; undo that one first"):
        correct(con, "mc", Revert(split.revision_id), "alice", tagger=tagger)
    assert (texts(con), revisions(con)) == state


def test_a_rerun_replays_an_undone_correction_as_if_neither_had_been_made(con):
    tagger = WordEcho()
    kept = correct(con, "mc", EditWords("mc/u00001", "I take risperidone daily."), "alice", tagger=tagger)
    merged = correct(con, "mc", Merge("mc/u00004", "mc/u00005"), "alice", tagger=tagger)
    undo = correct(con, "mc", Revert(merged.revision_id), "alice", tagger=tagger)
    split = correct(con, "mc", Split("mc/u00003", 4), "alice", tagger=tagger)
    undo_split = correct(con, "mc", Revert(split.revision_id), "alice", tagger=tagger)
    correct(con, "mc", Revert(undo_split.revision_id), "alice", tagger=tagger)  # the split is redone
    corrected = load_transcript(con, "mc")

    stored = store_run(con, MACHINE, tagger=tagger, run_id="run-2")
    assert stored.replay is not None and not stored.replay.not_replayed
    # the same utterances, speakers, words and times; each utterance's revision_id then names the
    # replayed correction (a cancelled pair leaves the machine's utterance, revision_id null)
    assert [replace(u, revision_id=None) for u in load_transcript(con, "mc")] == [
        replace(u, revision_id=None) for u in corrected
    ]
    assert {o.revision_id for o in stored.replay.outcomes} >= {kept.revision_id, merged.revision_id, undo.revision_id}
    assert con.execute("select count(*) from transcript_revisions_not_replayed").fetchone()[0] == 0
    assert zero_row_assertions(con) == {}
