"""The five corrections as pure functions: ids, speakers, words and their times."""

from __future__ import annotations

import pytest

from dialogic.corrections.edits import (
    EditUtterance,
    EditWord,
    EditWords,
    Merge,
    Reassign,
    RenameSpeaker,
    Split,
    apply_edit,
    edit_from_params,
    edit_params,
    retime_words,
)
from dialogic.errors import EditRefused


def utt(uid: str, speaker: str, text: str, start_s: float, step_s: float = 0.5) -> EditUtterance:
    words = tuple(
        EditWord(w, round(start_s + k * step_s, 3), round(start_s + (k + 1) * step_s, 3), 0.9)
        for k, w in enumerate(text.split())
    )
    return EditUtterance(uid, speaker, words)


T = (
    utt("m/u00000", "SPEAKER_00", "how are you today", 0.0),
    utt("m/u00001", "SPEAKER_01", "fine thanks and you", 3.0),
    utt("m/u00002", "SPEAKER_01", "I take risk of rhythm daily", 6.0),
)


def test_reassigning_a_whole_utterance_keeps_its_id_and_words():
    applied = apply_edit(T, Reassign("m/u00001", "SPEAKER_00"), revision_id=7, id_prefix="m/r7")
    new = applied.transcript[1]
    assert (new.utterance_id, new.speaker_label, new.words, new.revision_id) == (
        "m/u00001",
        "SPEAKER_00",
        T[1].words,
        7,
    )
    assert applied.before == (T[1],) and applied.after == (new,)
    assert applied.transcript[0] is T[0] and applied.transcript[2] is T[2]


def test_reassigning_a_word_range_cuts_the_utterance_in_three():
    applied = apply_edit(T, Reassign("m/u00001", "SPEAKER_00", from_word=2, to_word=3), revision_id=8, id_prefix="m/r8")
    parts = applied.transcript[1:4]
    assert [(u.utterance_id, u.speaker_label, u.text) for u in parts] == [
        ("m/u00001", "SPEAKER_01", "fine thanks"),
        ("m/r8.1", "SPEAKER_00", "and"),
        ("m/r8.2", "SPEAKER_01", "you"),
    ]
    assert [w for u in parts for w in u.words] == list(T[1].words)  # no word lost, none retimed
    # a range at the start: the reassigned part keeps the id
    head = apply_edit(T, Reassign("m/u00001", "SPEAKER_00", 0, 1), revision_id=9, id_prefix="m/r9").transcript
    assert [(u.utterance_id, u.speaker_label, u.text) for u in head[1:3]] == [
        ("m/u00001", "SPEAKER_00", "fine"),
        ("m/r9.1", "SPEAKER_01", "thanks and you"),
    ]


@pytest.mark.parametrize(
    "edit",
    [
        Reassign("m/u00001", "SPEAKER_01"),  # its speaker already
        Reassign("m/u00001", "SPEAKER_00", 3, 3),  # empty range
        Reassign("m/u00001", "SPEAKER_00", 2, 9),  # past the end
        Reassign("m/u00009", "SPEAKER_00"),  # no such utterance
        Split("m/u00001", 0),
        Split("m/u00001", 4),
        Merge("m/u00000", "m/u00002"),  # not the next one
        Merge("m/u00002", "m/u00003"),  # the last has no next
        EditWords("m/u00001", "fine  thanks and you"),  # the same words
        RenameSpeaker("SPEAKER_01", "SPEAKER_00"),  # taken
        RenameSpeaker("SPEAKER_01", "SPEAKER_07"),  # a diarisation label
        RenameSpeaker("SPEAKER_01", "<script>"),
    ],
)
def test_an_edit_that_does_not_fit_is_refused(edit):
    with pytest.raises(EditRefused):
        apply_edit(T, edit, revision_id=1, id_prefix="m/r1")


def test_split_then_merge_gives_back_the_words():
    split = apply_edit(T, Split("m/u00002", 3), revision_id=2, id_prefix="m/r2")
    assert [u.text for u in split.transcript[2:]] == ["I take risk", "of rhythm daily"]
    assert split.transcript[3].utterance_id == "m/r2.1"
    merged = apply_edit(split.transcript, Merge("m/u00002", "m/r2.1"), revision_id=3, id_prefix="m/r3")
    assert merged.transcript[2].words == T[2].words and merged.transcript[2].utterance_id == "m/u00002"
    assert len(merged.before) == 2 and len(merged.transcript) == 3


def test_merge_gives_the_second_utterance_the_first_ones_speaker():
    merged = apply_edit(T, Merge("m/u00000", "m/u00001"), revision_id=4, id_prefix="m/r4").transcript
    assert merged[0].speaker_label == "SPEAKER_00" and merged[0].text == "how are you today fine thanks and you"
    assert merged[0].start_s == 0.0 and merged[0].end_s == 5.0


def test_editing_words_keeps_the_times_of_kept_words_and_shares_the_replaced_span():
    applied = apply_edit(T, EditWords("m/u00002", "I take risperidone daily"), revision_id=5, id_prefix="m/r5")
    words = applied.transcript[2].words
    assert [w.word for w in words] == ["I", "take", "risperidone", "daily"]
    assert words[0] == T[2].words[0] and words[1] == T[2].words[1] and words[3] == T[2].words[5]
    # "risk of rhythm" spanned 7.0-8.5 s: the typed word takes all of it, with no probability
    assert (words[2].start_s, words[2].end_s, words[2].probability) == (7.0, 8.5, None)


def test_two_words_typed_over_three_share_their_time_evenly_and_an_insertion_takes_the_pause():
    old = (
        EditWord("a", 0.0, 1.0, 0.9),
        EditWord("b", 1.0, 2.0, 0.9),
        EditWord("c", 2.0, 3.0, 0.9),
        EditWord("d", 4.0, 5.0, 0.9),
    )
    new = retime_words(old, ["a", "x", "y", "d", "e"])
    assert [(w.word, w.start_s, w.end_s) for w in new] == [
        ("a", 0.0, 1.0),
        ("x", 1.0, 2.0),  # "b c" spanned 1.0-3.0
        ("y", 2.0, 3.0),
        ("d", 4.0, 5.0),
        ("e", 5.0, 5.0),  # appended after the last word: no time of its own
    ]
    gap = retime_words(old, ["a", "b", "c", "new", "d"])
    assert [(w.word, w.start_s, w.end_s) for w in gap][3] == ("new", 3.0, 4.0)  # the pause before "d"


def test_emptying_an_utterance_removes_it():
    applied = apply_edit(T, EditWords("m/u00000", "   "), revision_id=6, id_prefix="m/r6")
    assert [u.utterance_id for u in applied.transcript] == ["m/u00001", "m/u00002"]
    assert applied.after == ()


def test_renaming_a_speaker_renames_every_utterance_of_theirs():
    applied = apply_edit(T, RenameSpeaker("SPEAKER_01", "Robin's mother"), revision_id=7, id_prefix="m/r7")
    assert [u.speaker_label for u in applied.transcript] == ["SPEAKER_00", "Robin's mother", "Robin's mother"]
    assert [u.utterance_id for u in applied.before] == ["m/u00001", "m/u00002"]


def test_an_edit_survives_its_params_round_trip():
    for edit in (
        Reassign("m/u1", "S", 1, 2, True),
        Split("m/u1", 2),
        Merge("a", "b"),
        EditWords("a", "x y"),
        RenameSpeaker("S", "T"),
    ):
        assert edit_from_params(edit.kind, edit_params(edit)) == edit
    with pytest.raises(EditRefused, match="unknown correction"):
        edit_from_params("delete_everything", {})
