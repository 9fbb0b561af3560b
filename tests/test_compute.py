"""`dialogic.compute` without a database: an imported transcript computed from its file and a
hand-built `PriorState` (a hand mapping, a withdrawn participant), and failures named by stage.
No model runs (tagging is off or the language is not the tagger's)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dialogic.compute import PriorState, compute_meeting
from dialogic.keys import meeting_key
from dialogic.manifest import Consent, MeetingSpec, Participant
from dialogic.options import PipelineOptions
from dialogic.records import ComputedMeeting, FailedMeeting, MappingChange, StoredSpeaker
from dialogic.store.meetings import NAME_MATCH, StoredVoices

TRANSCRIPT = """\
Sam: I would like to stop the tablets.
Dr Lee: There are a few options.
Mum: He has not slept for days.
Interpreter: He says he agrees.
Sam: Then let's try that.
"""


def spec(folder: Path, **changes) -> MeetingSpec:
    (folder / "meeting.txt").write_text(TRANSCRIPT)
    meeting = MeetingSpec(
        id="m",
        audio=None,
        consent=Consent("given", ("transcribe", "analyse"), "ref-1"),
        participants=(
            Participant("p1", "service_user", pseudonym="Sam"),
            Participant("p2", "clinician", pseudonym="Dr Lee"),
            Participant("p3", "network", pseudonym="Mum"),
            Participant("p4", "other"),
        ),
        language="de",  # not the tagger's language: no model is loaded
        transcript=folder / "meeting.txt",
    )
    return dataclasses.replace(meeting, **changes)


def test_an_import_is_computed_from_its_file_and_the_prior_state_alone(tmp_path):
    meeting = spec(tmp_path)
    options = PipelineOptions(transcription=dataclasses.replace(PipelineOptions().transcription, language="de"))
    hand = StoredSpeaker("Interpreter", "p4", "2026-01-01", "alice")
    by_name = StoredSpeaker("Mum", "p3", "2026-01-01", NAME_MATCH)  # a name match is matched again, not kept
    prior = PriorState("0" * 64, StoredVoices([hand, by_name], []), withdrawn=("p3",))

    computed = compute_meeting(meeting, options, prior, meeting_key(meeting, options))

    assert isinstance(computed, ComputedMeeting)
    assert computed.transcript is computed.diarisation is computed.words is computed.audio is None
    assert [(u.index, u.speaker) for u in computed.utterances] == [
        (0, "Sam"),
        (1, "Dr Lee"),
        (2, "Interpreter"),
        (3, "Sam"),
    ]  # Mum (p3) withdrew: her utterance is left out and the rest renumbered
    speakers = {label: (s.participant_id, s.mapped_by) for label, s in computed.imported.speakers.items()}
    assert speakers == {
        "Sam": ("p1", NAME_MATCH),
        "Dr Lee": ("p2", NAME_MATCH),
        "Interpreter": ("p4", "alice"),
    }
    assert computed.imported.mapping_changes == [
        MappingChange("p4", "Interpreter", "Interpreter", "kept", None, "the same name in the transcript")
    ]
    assert computed.imported.transcript_warnings[-1] == (
        "1 utterance(s) of withdrawn participant(s) p3 left out: their consent was withdrawn"
    )
    assert computed.tag_rows is None and computed.reason.startswith("not tagged: the tagger reads 'en'")
    assert set(computed.timings_s) == {"read-transcript", "tag"}


def test_a_failing_stage_is_a_failed_meeting_naming_it(tmp_path):
    meeting = spec(tmp_path)
    options = PipelineOptions(tag=False)
    key = meeting_key(meeting, options)
    (tmp_path / "meeting.txt").write_text("")  # emptied after it was hashed
    failed = compute_meeting(meeting, options, PriorState(), key)
    assert isinstance(failed, FailedMeeting) and failed.reason.startswith("read-transcript: ")

    with_audio = spec(tmp_path, audio=tmp_path / "missing.wav")
    failed = compute_meeting(with_audio, options, PriorState(), key)
    assert isinstance(failed, FailedMeeting) and failed.reason.startswith("decode: ")
    assert "missing.wav" in failed.reason


@pytest.mark.parametrize("stage", ["read-transcript", "tag"])
def test_every_stage_goes_through_the_callers_hook(tmp_path, stage):
    meeting = spec(tmp_path)
    options = PipelineOptions(tag=False)
    called = []

    def call(meeting_id, name, fn, *args, **kwargs):
        called.append((meeting_id, name))
        if name == stage:
            raise OSError(f"{name} refused by the test")
        return fn(*args, **kwargs)

    failed = compute_meeting(meeting, options, PriorState(), meeting_key(meeting, options), call=call)
    assert isinstance(failed, FailedMeeting)
    assert failed.reason == f"{stage}: {meeting.transcript}: OSError: {stage} refused by the test"
    assert called[-1] == ("m", stage) and stage not in failed.timings_s
