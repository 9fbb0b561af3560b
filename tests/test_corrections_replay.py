"""Replaying corrections onto a new machine transcript: content matching and voices, as pure
functions (the database side is in test_corrections_revision_store.py)."""

from __future__ import annotations

from dialogic.corrections.edits import EditUtterance, EditWord, EditWords, Reassign, RenameSpeaker
from dialogic.corrections.replay import StoredRevision, replay_revisions


def utt(uid: str, speaker: str, text: str, start_s: float) -> EditUtterance:
    return EditUtterance(
        uid,
        speaker,
        tuple(EditWord(w, start_s + k, start_s + k + 1, 0.9) for k, w in enumerate(text.split())),
    )


def prefix(revision_id: int) -> str:
    return f"m/r{revision_id}"


# What the editors saw (old labels): SPEAKER_01 is the service user, SPEAKER_02 the mother.
OLD = (
    utt("m/u00000", "SPEAKER_00", "how are you", 0),
    utt("m/u00001", "SPEAKER_01", "he is tired", 10),
    utt("m/u00002", "SPEAKER_02", "we worry yes I agree", 20),
)


def test_labels_follow_voices_through_a_rename():
    revisions = [
        # u1 was the mother's, then the mother's label was renamed, then words of u2 given to "Mum"'s
        # neighbour the doctor: each made in the labels of its own time
        StoredRevision(1, Reassign("m/u00001", "SPEAKER_02"), (OLD[1],)),
        StoredRevision(2, RenameSpeaker("SPEAKER_02", "Mum"), ()),
        StoredRevision(3, Reassign("m/u00002", "SPEAKER_00", 3, 5), (EditUtterance("m/u00002", "Mum", OLD[2].words),)),
    ]
    # the new run calls the voices otherwise; the stored turns know the mother as "Mum"
    voice_map = {"SPEAKER_00": "SPEAKER_01", "SPEAKER_01": "SPEAKER_02", "Mum": "SPEAKER_00"}
    new = (
        utt("m/u00000", "SPEAKER_01", "how are you", 0),
        utt("m/u00001", "SPEAKER_02", "he is tired", 10),
        utt("m/u00002", "SPEAKER_00", "we worry yes I agree", 20),
    )
    result = replay_revisions(
        new, revisions, voice_map, {"SPEAKER_00", "SPEAKER_01", "SPEAKER_02"}, id_prefix_of=prefix
    )
    assert [o.replayed for o in result.outcomes] == [True, True, True], result.outcomes
    assert [(u.utterance_id, u.speaker_label, u.text) for u in result.transcript] == [
        ("m/u00000", "SPEAKER_01", "how are you"),
        ("m/u00001", "Mum", "he is tired"),
        ("m/u00002", "Mum", "we worry yes"),
        ("m/r3.1", "SPEAKER_01", "I agree"),  # the doctor's voice in the new run
    ]
    assert result.renames == [("SPEAKER_00", "Mum")] and result.created == {"Mum"}
    assert result.outcomes[0].edit == Reassign("m/u00001", "SPEAKER_00")  # as replayed, in the new labels


def test_a_correction_is_reported_when_its_words_times_or_voice_are_gone():
    revisions = [
        StoredRevision(1, EditWords("m/u00000", "how are you doing"), (OLD[0],)),
        StoredRevision(2, Reassign("m/u00001", "SPEAKER_03"), (OLD[1],)),
        StoredRevision(3, EditWords("m/u00002", "we worry"), (OLD[2],)),
    ]
    new = (
        utt("m/u00000", "SPEAKER_00", "how are you", 0.5),  # heard half a second later
        utt("m/u00001", "SPEAKER_01", "he is tired", 10),
        utt("m/u00002", "SPEAKER_02", "we worry yes I agree", 20),
    )
    # a stored SPEAKER_03 (a brief voice) is not in the new run at all
    voice_map = {"SPEAKER_00": "SPEAKER_00", "SPEAKER_01": "SPEAKER_01", "SPEAKER_02": "SPEAKER_02"}
    labels = {"SPEAKER_00", "SPEAKER_01", "SPEAKER_02"}
    result = replay_revisions(new, revisions, voice_map, labels, id_prefix_of=prefix)
    assert [(o.revision_id, o.replayed) for o in result.outcomes] == [(1, False), (2, False), (3, True)]
    assert "m/u00000 is not in the new transcript with the same words, times and speaker" in result.outcomes[0].reason
    assert "the new run has no voice for speaker SPEAKER_03" in result.outcomes[1].reason
    assert result.transcript[0] == new[0] and result.transcript[2].text == "we worry"


def test_an_utterance_found_twice_under_other_ids_is_not_guessed():
    revisions = [StoredRevision(1, EditWords("m/u00009", "yes"), (utt("m/u00009", "SPEAKER_00", "mm", 5),))]
    twice = (utt("m/u00000", "SPEAKER_00", "mm", 5), utt("m/u00001", "SPEAKER_00", "mm", 5))
    result = replay_revisions(twice, revisions, {"SPEAKER_00": "SPEAKER_00"}, {"SPEAKER_00"}, id_prefix_of=prefix)
    assert not result.outcomes[0].replayed and result.transcript == twice
    # found once under another id (the new run cut utterances otherwise): replayed on it
    once = (utt("m/u00004", "SPEAKER_00", "mm", 5),)
    result = replay_revisions(once, revisions, {"SPEAKER_00": "SPEAKER_00"}, {"SPEAKER_00"}, id_prefix_of=prefix)
    assert result.outcomes[0].replayed and result.transcript[0].text == "yes"
    assert result.outcomes[0].edit == EditWords("m/u00004", "yes")
