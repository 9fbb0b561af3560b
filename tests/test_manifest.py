import datetime as dt

import pytest

from dialogic.errors import ConsentError, ManifestError
from dialogic.manifest import check_consent, load_manifest


def write(tmp_path, text, audio=("a.wav",)):
    for name in audio:
        (tmp_path / name).write_bytes(b"RIFF")
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    return path


GOOD = """
meetings:
  - id: m001
    audio: a.wav
    recorded_on: 2026-03-02
    consent: {status: given, scope: [transcribe, analyse, review], reference: form-2026-031}
    participants:
      - {id: p1, role: service_user, pseudonym: Alex}
      - {id: p2, role: network, relation: mother}
      - {id: p3, role: clinician, profession: psychiatrist}
      - {id: p4, role: peer}
"""


def test_valid_manifest_is_parsed(tmp_path):
    m = load_manifest(write(tmp_path, GOOD))
    assert m.problems == []
    (meeting,) = m.meetings
    assert meeting.id == "m001"
    assert meeting.audio == (tmp_path / "a.wav").resolve()
    assert meeting.recorded_on == dt.date(2026, 3, 2)
    assert [p.role for p in meeting.participants] == ["service_user", "network", "clinician", "peer"]
    assert meeting.participants[1].relation == "mother"
    assert meeting.consent.scope == ("transcribe", "analyse", "review")
    check_consent(meeting, "transcribe")


def test_bad_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "meetings: [\n  - id: x\n  bad")
    with pytest.raises(ManifestError, match=r"manifest\.yaml: not valid YAML"):
        load_manifest(path)


def test_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(ManifestError, match="nope.yaml: no such manifest file"):
        load_manifest(tmp_path / "nope.yaml")


def test_manifest_without_meetings_list(tmp_path):
    with pytest.raises(ManifestError, match="expected a mapping with a 'meetings' list"):
        load_manifest(write(tmp_path, "participants: []"))


def test_bad_meetings_are_reported_and_the_rest_kept(tmp_path):
    text = (
        GOOD
        + """
  - id: m002
    audio: missing.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
  - id: m003
    audio: a.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: nurse}]
  - id: m001
    audio: a.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: peer}]
  - id: m004
    audio: a.wav
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: peer}, {id: p1, role: clinician}]
  - audio: a.wav
"""
    )
    m = load_manifest(write(tmp_path, text))
    assert [x.id for x in m.meetings] == ["m001"]
    reasons = {p.meeting: p.reason for p in m.problems}
    assert "audio file not found" in reasons["m002"] and "missing.wav" in reasons["m002"]
    assert "unknown role 'nurse'" in reasons["m003"]
    assert "duplicate meeting id 'm001'" in reasons["m001"]
    assert "duplicate participant id(s): p1" in reasons["m004"]
    assert "id must be" in reasons["meetings[5]"]


def test_consent_gate(tmp_path):
    text = GOOD.replace("status: given", "status: withdrawn")
    (meeting,) = load_manifest(write(tmp_path, text)).meetings
    with pytest.raises(ConsentError, match="consent status is 'withdrawn'"):
        check_consent(meeting, "transcribe")
    text = GOOD.replace("scope: [transcribe, analyse, review]", "scope: [review]")
    (meeting,) = load_manifest(write(tmp_path, text)).meetings
    with pytest.raises(ConsentError, match="does not include 'transcribe'"):
        check_consent(meeting, "transcribe")


def test_unknown_scope_and_fields_are_rejected(tmp_path):
    m = load_manifest(write(tmp_path, GOOD.replace("review]", "publish]")))
    assert "unknown consent scope ['publish']" in m.problems[0].reason
    m = load_manifest(write(tmp_path, GOOD.replace("recorded_on", "recorded")))
    assert "unknown field(s): recorded" in m.problems[0].reason


def test_a_meeting_language_is_read_and_checked(tmp_path):
    text = GOOD.replace("    recorded_on: 2026-03-02\n", "    recorded_on: 2026-03-02\n    language: de\n")
    (meeting,) = load_manifest(write(tmp_path, text)).meetings
    assert meeting.language == "de"
    bad = load_manifest(write(tmp_path, GOOD.replace("    recorded_on: 2026-03-02\n", "    language: German\n")))
    assert bad.meetings == [] and "language must be a two- or three-letter language code" in bad.problems[0].reason
    assert load_manifest(write(tmp_path, GOOD)).meetings[0].language is None  # detect


def test_utf16_and_bom_manifests_are_read_and_latin1_is_named(tmp_path):
    path = write(tmp_path, GOOD)
    path.write_bytes(GOOD.replace("Alex", "Zoë").encode("utf-16"))  # with its byte-order mark
    assert load_manifest(path).meetings[0].participants[0].pseudonym == "Zoë"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_manifest(path).meetings[0].id == "m001"
    path.write_bytes(GOOD.replace("Alex", "Zoë").encode("latin-1"))
    with pytest.raises(
        ManifestError, match=r"manifest.yaml: line 8: not UTF-8 text \(byte 0xeb\); save the manifest as UTF-8"
    ):
        load_manifest(path)


def test_a_bad_date_or_a_repeated_key_is_reported_with_its_line_and_the_rest_kept(tmp_path):
    text = (
        GOOD
        + """
  - id: m002
    audio: a.wav
    recorded_on: 2026-02-30
    consent: {status: given, scope: [transcribe]}
    participants: [{id: p1, role: service_user}]
"""
    )
    m = load_manifest(write(tmp_path, text))
    assert [x.id for x in m.meetings] == ["m001"]
    (problem,) = m.problems
    assert (
        problem.meeting == "m002" and ":13: recorded_on must be a date (YYYY-MM-DD), got '2026-02-30'" in problem.reason
    )
    repeated = GOOD.replace("    audio: a.wav\n", "    audio: a.wav\n    audio: b.wav\n")
    with pytest.raises(ManifestError, match=r"key 'audio' appears twice in one entry \(lines 4 and 5\)"):
        load_manifest(write(tmp_path, repeated, audio=("a.wav", "b.wav")))


def test_audio_outside_the_manifests_folder_is_refused_unless_allowed(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.wav").write_bytes(b"RIFF")
    study = tmp_path / "study"
    study.mkdir()
    for audio in ("../elsewhere/x.wav", str(outside / "x.wav"), "../../../../etc/passwd"):
        m = load_manifest(write(study, GOOD.replace("audio: a.wav", f"audio: {audio}")))
        assert m.meetings == [] and "lies outside the manifest's folder" in m.problems[0].reason, audio
    allowed = load_manifest(write(study, GOOD.replace("audio: a.wav", "audio: ../elsewhere/x.wav")), allow_outside=True)
    assert allowed.meetings[0].audio == (outside / "x.wav").resolve()


def test_a_meeting_may_give_a_transcript_instead_of_or_besides_audio(tmp_path):
    (tmp_path / "t.vtt").write_text("WEBVTT\n")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    text = GOOD.replace("    audio: a.wav\n", "    transcript: t.vtt\n")
    both = GOOD.replace("    audio: a.wav\n", "    audio: a.wav\n    transcript: t.vtt\n")
    only = load_manifest(write(tmp_path, text)).meetings[0]
    assert only.audio is None and only.transcript == (tmp_path / "t.vtt").resolve()
    assert only.source == "transcript" and only.source_file == only.transcript
    together = load_manifest(write(tmp_path, both)).meetings[0]
    assert together.source == "audio+transcript" and together.audio == (tmp_path / "a.wav").resolve()
    assert load_manifest(write(tmp_path, GOOD)).meetings[0].source == "audio"
    reasons = {
        "neither": GOOD.replace("    audio: a.wav\n", ""),
        "unknown format": GOOD.replace("    audio: a.wav\n", "    transcript: notes.docx\n"),
        "missing": GOOD.replace("    audio: a.wav\n", "    transcript: gone.srt\n"),
        "outside": GOOD.replace("    audio: a.wav\n", "    transcript: ../t.vtt\n"),
        "not a path": GOOD.replace("    audio: a.wav\n", "    transcript: [t.vtt]\n"),
    }
    found = {name: load_manifest(write(tmp_path, t)).problems[0].reason for name, t in reasons.items()}
    assert "give audio (the recording), transcript (a human transcript of it), or both" in found["neither"]
    assert "unknown transcript format '.docx'" in found["unknown format"]
    assert "transcript file not found" in found["missing"] and "gone.srt" in found["missing"]
    assert "transcript '../t.vtt' lies outside the manifest's folder" in found["outside"]
    assert "transcript must be a path to the transcript file" in found["not a path"]
    # every reason names the manifest and the meeting's line
    assert all(f"{tmp_path / 'manifest.yaml'}:3: " in r for r in found.values()), found


def test_every_problem_of_a_broken_entry_is_reported_at_once(tmp_path):
    text = """
meetings:
  - id: m9
    audio: missing.wav
    recorded_on: 2026-13-40
    language: english
    consent: {status: given, scope: [transcribe, publish]}
    participants:
      - {id: p1, role: nurse}
      - {id: p2, role: peer, nickname: Sam}
"""
    m = load_manifest(write(tmp_path, text))
    assert m.meetings == []
    (problem,) = m.problems
    for part in (
        "audio file not found",
        "recorded_on must be a date (YYYY-MM-DD), got '2026-13-40'",
        "language must be a two- or three-letter language code",
        "unknown consent scope ['publish']",
        "participant 'p1': unknown role 'nurse'",
        "participant 'p2': unknown field(s): nickname",
    ):
        assert part in problem.reason, part
    assert problem.reason.count("; ") == 5
