"""The README's path for meetings that already have a human transcript, end to end through the
CLI on a real DuckDB file: one meeting per transcript format (timed and untimed), every export
format, the meeting and study reports, `speakers map` by name and `speakers suggest`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.export import FORMATS, TIMED_FORMATS

DATA = Path(__file__).parent / "data" / "transcripts"
TRANSCRIPTS = {  # meeting id → fixture
    "m-vtt": "meeting.vtt",
    "m-srt": "meeting.srt",
    "m-eaf": "meeting.eaf",
    "m-textgrid": "meeting.TextGrid",
    "m-csv": "meeting.csv",
    "m-tsv": "meeting.tsv",
    "m-txt": "meeting.txt",
    "m-roles": "roles.txt",  # written below: speakers named by role word only
}
UNTIMED = {"m-txt", "m-roles"}
PEOPLE = """    participants:
      - {id: p1, role: service_user, pseudonym: Alex}
      - {id: p2, role: network, pseudonym: Maria, relation: mother}
      - {id: p3, role: clinician, pseudonym: Dr Lee, profession: psychiatrist}
      - {id: p4, role: peer, pseudonym: Sam}
"""
ROLE_WORDS = """Clinician: What would you like to talk about today?
Service user: The medication makes me tired.
Peer: That happened to me too, and changing the time of the dose helped.
Relative: We could try that.
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("transcript-path")
    entries = []
    for meeting_id, name in TRANSCRIPTS.items():
        if name == "roles.txt":
            (root / name).write_text(ROLE_WORDS)
        else:
            shutil.copyfile(DATA / name, root / name)
        entries.append(
            f"  - id: {meeting_id}\n    transcript: {name}\n    language: en\n"
            "    consent: {status: given, scope: [transcribe, analyse, review]}\n" + PEOPLE
        )
    manifest = root / "manifest.yaml"
    manifest.write_text("meetings:\n" + "".join(entries))
    db = root / "study.duckdb"
    result = CliRunner().invoke(app, ["process", str(manifest), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return root, db


def invoke(*args: str):
    return CliRunner().invoke(app, [*args])


@pytest.mark.parametrize("meeting_id", TRANSCRIPTS)
def test_every_export_format_works_or_says_what_it_needs(study, meeting_id):
    root, db = study
    for fmt in FORMATS:
        out = root / f"{meeting_id}.{fmt}"
        result = invoke("export", meeting_id, "--format", fmt, "--output", str(out), "--db", str(db))
        if fmt == "rttm":
            assert result.exit_code != 0 and "no diarisation to write as RTTM" in result.output
            continue
        if meeting_id in UNTIMED and fmt in TIMED_FORMATS:
            assert result.exit_code != 0, result.output
            assert "has no times" in result.output and "export csv, tsv, txt, docx or json" in result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
            continue
        assert result.exit_code == 0, (fmt, result.output)
        assert out.stat().st_size > 0
    if meeting_id in UNTIMED:
        return
    # the people are named the same in every format: pseudonym, role, relation or profession
    assert "Dr Lee (clinician, psychiatrist)" in (root / f"{meeting_id}.vtt").read_text()
    assert "Maria (network, mother)" in (root / f"{meeting_id}.txt").read_text()
    eaf = (root / f"{meeting_id}.eaf").read_text()
    assert "MEDIA_DESCRIPTOR" not in eaf  # no recording to link


def test_untimed_transcripts_export_as_csv_txt_and_docx_without_times(study):
    root, db = study
    for fmt in ("csv", "txt", "docx", "json"):
        assert (
            invoke(
                "export", "m-txt", "--format", fmt, "--output", str(root / f"untimed.{fmt}"), "--db", str(db)
            ).exit_code
            == 0
        )
    txt = (root / "untimed.txt").read_text()
    assert txt.startswith("Dr Lee (clinician, psychiatrist): Thank you all for coming.") and "[" not in txt
    header, first = (root / "untimed.csv").read_text().splitlines()[:2]
    assert header.startswith("meeting_id,utterance_id,start_s,end_s,start,end,")
    assert first.startswith("m-txt,m-txt/u00000,,,,,DR LEE,p3,Dr Lee,clinician,")
    paragraphs = [p.text for p in docx.Document(str(root / "untimed.docx")).paragraphs]
    assert "Sam (peer): When I was in hospital years ago" in " ".join(paragraphs)


def test_role_words_name_participants_in_import_and_in_speakers_map(study):
    root, db = study
    data = json.loads((root / "m-roles.json").read_text())
    by_label = {u["speaker"]: u["participant_id"] for u in data["utterances"]}
    # 'Relative' names no participant (no relation 'relative'): left unmapped, never guessed
    assert by_label == {"Clinician": "p3", "Service user": "p1", "Peer": "p4", "Relative": None}
    # speakers map takes the names import matches: pseudonym, relation, role word
    assert invoke("speakers", "map", "m-roles", "Relative=mother", "--db", str(db)).exit_code == 0
    assert invoke("speakers", "map", "m-roles", "Clinician=Dr Lee", "Peer=peer", "--db", str(db)).exit_code == 0
    listed = invoke("speakers", "list", "m-roles", "--db", str(db)).output
    assert "p2" in listed and "network" in listed
    refused = invoke("speakers", "map", "m-roles", "Peer=nobody", "--db", str(db))
    assert refused.exit_code != 0 and "no participant 'nobody'" in refused.output
    assert "Sam (peer) = p4" in " ".join(refused.output.split())


def test_speakers_suggest_says_a_transcript_meeting_has_no_voices(study):
    _, db = study
    result = invoke("speakers", "suggest", "m-vtt", "--db", str(db))
    assert result.exit_code == 0
    assert "imported from a transcript and has no recording" in " ".join(result.output.split())


def test_meeting_and_study_reports_for_timed_and_untimed_transcripts(study):
    root, db = study
    for meeting_id in ("m-vtt", "m-txt"):
        out = root / "reports"
        result = invoke("report", meeting_id, "--output", str(out), "--db", str(db))
        assert result.exit_code == 0, result.output
        html = (out / f"{meeting_id}.html").read_text()
        assert "imported from a transcript without a recording" in html and "<audio" not in html
    assert "the transcript was imported without them" in (root / "reports" / "m-txt.html").read_text()
    result = invoke("report", "--all", "--output", str(root / "all"), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "report failed" not in result.output
    for meeting_id in TRANSCRIPTS:
        assert (root / "all" / f"{meeting_id}.html").is_file()
