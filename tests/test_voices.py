"""dialogic.voices: mappings follow voices, doubtful speakers are flagged, suggestions rank voices."""

from __future__ import annotations

import pytest

from dialogic.records import Diarisation, SpeakerTurn
from dialogic.voices import StoredSpeaker, carry_mappings, doubtful_speakers, shared_speech_s, suggest


def turns(*spans):
    return [SpeakerTurn(label, start, end) for label, start, end in spans]


def test_shared_speech_merges_each_side_first():
    a = turns(("A", 0, 10), ("A", 5, 12))  # overlapping turns of one speaker count once
    b = turns(("B", 8, 20))
    assert shared_speech_s(a, a) == 12
    assert shared_speech_s(a, b) == 4
    assert shared_speech_s(a, []) == 0


def test_a_mapping_moves_with_the_voice_when_labels_are_reshuffled():
    # Stored: SPEAKER_00 = mum (p2) spoke 0-10 s, SPEAKER_01 = peer (p4) spoke 10-20 s.
    stored = [StoredSpeaker("SPEAKER_00", "p2"), StoredSpeaker("SPEAKER_01", "p4"), StoredSpeaker("SPEAKER_02", None)]
    stored_turns = turns(("SPEAKER_00", 0, 10), ("SPEAKER_01", 10, 20), ("SPEAKER_02", 20, 21))
    # The re-run gives the labels out in another order and finds a third voice inside the peer's time.
    new = Diarisation(
        turns=turns(("SPEAKER_00", 0.2, 9.8), ("SPEAKER_01", 10, 13), ("SPEAKER_02", 13, 20)),
        exclusive_turns=[],
        speakers=["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"],
    )
    carried, changes = carry_mappings(stored, stored_turns, new, {"p2", "p4"})
    assert {label: s.participant_id for label, s in carried.items()} == {"SPEAKER_00": "p2", "SPEAKER_02": "p4"}
    by_participant = {c.participant_id: c for c in changes}
    assert (by_participant["p2"].action, by_participant["p2"].to_label) == ("kept", "SPEAKER_00")
    assert (by_participant["p4"].action, by_participant["p4"].to_label) == ("moved", "SPEAKER_02")
    assert by_participant["p4"].similarity == pytest.approx(0.7)


def test_no_voice_goes_to_two_people_and_a_lost_voice_is_dropped_not_guessed():
    # Diarisation now merges mum and the peer into one speaker: only one mapping can follow it.
    stored = [StoredSpeaker("SPEAKER_00", "p2"), StoredSpeaker("SPEAKER_01", "p4")]
    stored_turns = turns(("SPEAKER_00", 0, 10), ("SPEAKER_01", 10, 16))
    new = Diarisation(turns=turns(("SPEAKER_00", 0, 16)), exclusive_turns=[], speakers=["SPEAKER_00"])
    carried, changes = carry_mappings(stored, stored_turns, new, {"p2", "p4"})
    assert {label: s.participant_id for label, s in carried.items()} == {"SPEAKER_00": "p2"}
    dropped = [c for c in changes if c.action == "dropped"]
    assert [(c.participant_id, c.from_label) for c in dropped] == [("p4", "SPEAKER_01")]
    assert "map again" in dropped[0].reason


def test_a_participant_gone_from_the_manifest_loses_its_mapping():
    stored = [StoredSpeaker("SPEAKER_00", "p9")]
    new = Diarisation(turns=turns(("SPEAKER_00", 0, 5)), exclusive_turns=[], speakers=["SPEAKER_00"])
    carried, changes = carry_mappings(stored, turns(("SPEAKER_00", 0, 5)), new, {"p1"})
    assert carried == {} and changes[0].reason == "participant no longer in the manifest"


def test_doubtful_speakers_have_little_speech_and_no_long_turn():
    d = Diarisation(
        turns=turns(("A", 0, 60), ("B", 60, 100), ("C", 100, 101), ("D", 101, 101.5), ("D", 102, 104.5)),
        exclusive_turns=[],
        speakers=["A", "B", "C", "D"],
    )
    # C: 1 s of 104.5 (< 2 %), longest 1 s → doubtful; D: 3 s (2.9 %) → not doubtful
    assert doubtful_speakers(d) == {"C"}


def test_suggestions_rank_enrolled_people_of_this_meeting_by_similarity():
    speakers = {"SPEAKER_00": (1.0, 0.0), "SPEAKER_01": (0.0, 1.0)}
    enrolled = {"dr-lee": [(0.9, 0.1), (1.0, 0.0)], "peer-sam": [(0.1, 0.9)], "not-here": [(1.0, 0.0)]}
    got = suggest(speakers, enrolled, {"dr-lee": "p3", "peer-sam": "p4"})
    top = {}
    for s in got:
        top.setdefault(s.speaker_label, s)
    assert (top["SPEAKER_00"].participant_id, top["SPEAKER_01"].participant_id) == ("p3", "p4")
    assert {s.person_id for s in got} == {"dr-lee", "peer-sam"}  # a person not in this meeting is never offered
    assert top["SPEAKER_00"].enrolled_meetings == 2
