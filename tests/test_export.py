"""Every export format of a builder-made meeting, read back by a library of its format's own
ecosystem: pyannote.database (RTTM), webvtt-py, srt, pympi (ELAN), praatio (Praat), the csv
module, python-docx. The meeting (tests/builders.py, build_export_db) has mapped speakers, a
pseudonym, two diarised speakers mapped to one clinician whose utterances overlap, an unmapped
speaker, an unattributed utterance, tags with a role-rule candidate, raters' answers, and an
utterance holding ``<script>`` and ``&``."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import docx
import pytest
import srt
import webvtt
from builders import EX_TAGS, EX_UTTERANCES, EX_VERSION, build_export_db, insert, refresh, utterance
from praatio import textgrid
from pyannote.database.util import load_rttm
from pympi import Elan
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.consent import withdraw_participant
from dialogic.db import connect
from dialogic.errors import ConsentError, LookupFailed
from dialogic.export import FORMATS, ExportOptions, export_meeting
from dialogic.export.table import columns
from dialogic.export.tiers import lay_out
from dialogic.tagging.codebook import TAGS

# what each diarised speaker is shown as once mapped (S1 and S4 are both the clinician 'doc')
DISPLAY = {
    "S0": "Alex (service user)",
    "S1": "doc (clinician)",
    "S2": "Sam (peer)",
    "S3": "S3",
    "S4": "doc (clinician)",
    None: "unattributed",
}
PARTICIPANT = {"S0": "su", "S1": "doc", "S2": "peer1", "S3": None, "S4": "doc", None: None}
TEXT = {i: text for i, _, _, _, text in EX_UTTERANCES}
SCRIPT = TEXT[1]  # holds <script>, ' and &
MS = 0.001  # times must come back within a millisecond

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(database, recording path) of the export fixture; the recording lies beside an `out` folder."""
    root = tmp_path_factory.mktemp("export")
    audio = (root / "audio" / "ex.wav").resolve()
    return build_export_db(root / "ex.duckdb", audio), audio


@pytest.fixture
def con(built):
    con = connect(built[0], read_only=True)
    yield con
    con.close()


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
    return path


# --- JSON -------------------------------------------------------------------------------------


def test_json_carries_people_tags_and_raters(con):
    data = json.loads(export_meeting(con, "ex", "json"))
    assert set(data) == {
        "meeting_id",
        "recorded_on",
        "duration_s",
        "consent_note",
        "tagger",
        "participants",
        "utterances",
        "corrections",
    }
    assert (data["meeting_id"], data["recorded_on"], data["duration_s"]) == ("ex", "2026-03-02", 60.0)
    assert data["consent_note"] is None and data["corrections"] == []
    assert data["tagger"]["model_version"] == EX_VERSION
    assert "not validated on this study" in data["tagger"]["validation_status"]
    participants = {p["participant_id"]: p for p in data["participants"]}
    assert participants["doc"]["speaker_labels"] == ["S1", "S4"] and participants["mum"]["speaker_labels"] == []
    assert participants["su"]["pseudonym"] == "Alex"

    utterances = data["utterances"]
    assert [u["text"] for u in utterances] == [TEXT[i] for i in range(len(EX_UTTERANCES))]
    for u, (index, label, start_s, end_s, text) in zip(utterances, EX_UTTERANCES):
        assert set(u) == {
            "id",
            "speaker",
            "participant_id",
            "pseudonym",
            "role",
            "start_s",
            "end_s",
            "text",
            "words",
            "tags",
        }
        assert (u["speaker"], u["participant_id"]) == (label, PARTICIPANT[label])
        assert u["text"] == " ".join(w["word"] for w in u["words"])
        assert [t["tag"] for t in u["tags"]] == sorted(TAGS)
        for t in u["tags"]:
            assert t["model_version"] == EX_VERSION
            assert t["probability"] == EX_TAGS.get((index, t["tag"]), 0.1)
            assert t["label"] == ((index, t["tag"]) in EX_TAGS)
    assert utterances[1]["pseudonym"] == "Alex" and utterances[1]["role"] == "service_user"
    assert utterances[3]["role"] is None and utterances[6]["speaker"] is None

    def tag(i, name):
        return next(t for t in utterances[i]["tags"] if t["tag"] == name)

    # raters: two confirmed utterance 4's persuasion, one rejected utterance 5's option discussion
    assert (tag(4, "persuasion")["rater_label"], tag(4, "persuasion")["n_raters"]) == (True, 2)
    assert (tag(5, "option_discussion")["rater_label"], tag(5, "option_discussion")["n_raters"]) == (False, 1)
    assert tag(0, "preference_elicitation")["rater_label"] is None
    # the codebook's role rule: a peer's disclosure counts, an unmapped speaker's is a candidate
    assert tag(2, "peer_self_disclosure")["role_rule"] == "applies" and tag(2, "peer_self_disclosure")["counts"]
    assert tag(3, "peer_self_disclosure")["role_rule"] == "candidate"
    assert tag(3, "peer_self_disclosure")["label"] and not tag(3, "peer_self_disclosure")["counts"]


def test_json_corrections_are_the_meetings_revisions_oldest_first(tmp_path):
    db = build_export_db(tmp_path / "ex.duckdb", tmp_path / "ex.wav")
    con = connect(db)
    insert(
        con,
        "transcript_revisions",
        *[
            {
                "meeting_id": m,
                "editor": who,
                "edited_at": at,
                "kind": "edit_words",
                "target_ids": [f"{m}/u00000"],
                "params": json.dumps({"text": "b"}),
                "before": json.dumps([{"utterance_id": f"{m}/u00000", "speaker_label": "S0", "words": ["a"]}]),
                "after": json.dumps([{"utterance_id": f"{m}/u00000", "speaker_label": "S0", "words": ["b"]}]),
                "speaker_labels": ["S0"],
            }
            for m, who, at in [
                ("ex", "bob", "2026-03-04 10:00:00"),
                ("ex", "alice", "2026-03-03 09:00:00"),
                ("tx", "alice", "2026-03-01 09:00:00"),
            ]
        ],
    )
    con.close()
    con = connect(db, read_only=True)
    corrections = json.loads(export_meeting(con, "ex", "json"))["corrections"]
    assert [(c["editor"], c["edited_at"]) for c in corrections] == [
        ("alice", "2026-03-03T09:00:00"),
        ("bob", "2026-03-04T10:00:00"),
    ]
    assert {"kind", "target_ids", "params", "before", "after"} <= set(corrections[0])


def test_an_untagged_meeting_has_no_tagger_no_tags_and_no_tag_tiers(tmp_path):
    db = build_export_db(tmp_path / "ex.duckdb", tmp_path / "ex.wav")
    con = connect(db)
    con.execute("delete from ratings")
    con.execute("delete from tags")
    refresh(con, "ex")
    con.close()
    con = connect(db, read_only=True)
    data = json.loads(export_meeting(con, "ex", "json"))
    assert data["tagger"] is None and all(u["tags"] == [] for u in data["utterances"])
    eaf = Elan.Eaf(str(write(tmp_path, "ex.eaf", export_meeting(con, "ex", "eaf"))))
    assert not [t for t in eaf.get_tier_names() if t.startswith("tag:")]
    rows = list(csv.DictReader(io.StringIO(export_meeting(con, "ex", "csv"))))
    assert all(r["persuasion_p"] == "" and r["tagger_model_version"] == "" for r in rows)
    document = docx.Document(io.BytesIO(export_meeting(con, "ex", "docx")))
    assert "Tagger: not tagged" in [p.text for p in document.paragraphs]


# --- RTTM -------------------------------------------------------------------------------------


def test_rttm_names_speakers_by_label_or_by_participant(con, tmp_path):
    by_label = load_rttm(str(write(tmp_path, "l.rttm", export_meeting(con, "ex", "rttm"))))["ex"]
    by_participant = load_rttm(
        str(
            write(
                tmp_path,
                "p.rttm",
                export_meeting(con, "ex", "rttm", ExportOptions(speaker_ids="participant")),
            )
        )
    )["ex"]
    assert set(by_label.labels()) == {"S0", "S1", "S2", "S3", "S4"}
    assert set(by_participant.labels()) == {"su", "doc", "peer1", "S3"}  # S3 is unmapped: its label stays
    expected = {}
    for _, label, start_s, end_s, _ in EX_UTTERANCES:
        if label:
            key = PARTICIPANT[label] or label
            expected[key] = expected.get(key, 0.0) + end_s - start_s
    # doc's two speakers overlap for 1.5 s: pyannote's timeline counts that once
    expected["doc"] -= 1.5
    for key, seconds in expected.items():
        assert by_participant.label_duration(key) == pytest.approx(seconds, abs=MS)


# --- subtitles --------------------------------------------------------------------------------


def test_vtt_escapes_markup_and_names_people(con, tmp_path):
    text = export_meeting(con, "ex", "vtt")
    assert "<script>" not in text and "&lt;script&gt;" in text and "pills &amp; rest" in text
    assert "--&gt; really" in text  # '-->' in speech cannot end a cue timing line
    captions = webvtt.read(str(write(tmp_path, "ex.vtt", text))).captions
    assert len(captions) == len(EX_UTTERANCES)
    for caption, (_, label, start_s, end_s, original) in zip(captions, EX_UTTERANCES):
        assert html.unescape(caption.voice) == DISPLAY[label]
        assert html.unescape(caption.text) == original
        assert abs(caption.start_time.in_milliseconds() / 1000 - start_s) < MS  # start_in_seconds drops the ms
        assert abs(caption.end_time.in_milliseconds() / 1000 - end_s) < MS


def test_srt_is_plain_text_with_names(con):
    subtitles = list(srt.parse(export_meeting(con, "ex", "srt")))
    assert len(subtitles) == len(EX_UTTERANCES)
    for subtitle, (_, label, start_s, end_s, original) in zip(subtitles, EX_UTTERANCES):
        assert subtitle.content == f"{DISPLAY[label]}: {original}"
        assert abs(subtitle.start.total_seconds() - start_s) < MS
        assert abs(subtitle.end.total_seconds() - end_s) < MS


# --- ELAN and Praat ---------------------------------------------------------------------------

SPEECH_TIERS = ["doc (clinician)", "Alex (service user)", "Sam (peer)", "S3", "unattributed"]
TAG_TIERS = [f"tag:{t}" for t in sorted(TAGS)]


def expected_speech(display: str) -> list[tuple[int, int, str]]:
    """A tier's (start ms, end ms, text): its utterances, the clinician's first overlapping one
    clipped where the next begins (the rule of dialogic.export.tiers)."""
    rows = [(round(s * 1000), round(e * 1000), t) for _, label, s, e, t in EX_UTTERANCES if DISPLAY[label] == display]
    if display == "doc (clinician)":
        rows[1] = (16000, 21000, rows[1][2])  # 16.0–22.5 runs into 21.0–24.0 of the same person
    return rows


def test_eaf_has_a_tier_per_person_and_per_tag_and_links_the_recording(built, con):
    db, audio = built
    out = audio.parent.parent / "out" / "ex.eaf"  # beside the recording's folder
    out.parent.mkdir(exist_ok=True)
    write(out.parent, out.name, export_meeting(con, "ex", "eaf", ExportOptions(output_path=out)))
    eaf = Elan.Eaf(str(out))
    assert list(eaf.get_tier_names()) == SPEECH_TIERS + TAG_TIERS
    assert eaf.get_parameters_for_tier("doc (clinician)")["PARTICIPANT"] == "doc"
    assert eaf.get_parameters_for_tier("S3")["PARTICIPANT"] == "S3"
    for tier in SPEECH_TIERS:
        assert sorted(eaf.get_annotation_data_for_tier(tier)) == expected_speech(tier), tier
    ann = {t: sorted(eaf.get_annotation_data_for_tier(t)) for t in TAG_TIERS}
    assert ann["tag:persuasion"] == [(16000, 22500, "p=0.91; raters: yes (2)")]
    assert ann["tag:option_discussion"] == [(21000, 24000, "p=0.80; raters: no (1)"), (25123, 30456, "p=0.66")]
    assert ann["tag:peer_self_disclosure"] == [(9500, 14000, "p=0.95")]  # the unmapped speaker's is a candidate
    assert ann["tag:preference_elicitation"] == [(0, 4200, "p=0.88")]

    [media] = eaf.get_linked_files()
    assert media["MEDIA_URL"] == audio.as_uri() and media["MIME_TYPE"] == "audio/x-wav"
    assert media["RELATIVE_MEDIA_URL"] == "../audio/ex.wav"
    assert (out.parent / media["RELATIVE_MEDIA_URL"]).resolve() == audio
    properties = dict(eaf.get_properties())
    assert properties["dialogic:meeting_id"] == "ex" and properties["dialogic:tagger"] == EX_VERSION
    assert properties["dialogic:overlaps_adjusted"].startswith("1 annotations")
    ids = [int(a[1:]) for a in eaf.annotations]
    assert int(properties["lastUsedAnnotation"]) == max(ids)


def test_textgrid_tiers_never_overlap_and_keep_times(con, tmp_path):
    path = write(tmp_path, "ex.TextGrid", export_meeting(con, "ex", "textgrid"))
    grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False, reportingMode="error")
    assert list(grid.tierNames) == SPEECH_TIERS + TAG_TIERS
    assert (grid.minTimestamp, grid.maxTimestamp) == (0, 60)
    for name in SPEECH_TIERS:
        got = [(e.start, e.end, e.label) for e in grid.getTier(name).entries]
        want = expected_speech(name)
        assert [label for *_, label in got] == [label for *_, label in want], name
        for (start, end, _), (start_ms, end_ms, _) in zip(got, want):
            assert abs(start - start_ms / 1000) < MS and abs(end - end_ms / 1000) < MS
    persuasion = grid.getTier("tag:persuasion").entries
    assert [(e.start, e.end, e.label) for e in persuasion] == [(16.0, 22.5, "p=0.91; raters: yes (2)")]


def test_lay_out_clips_and_merges_overlapping_utterances():
    intervals = lay_out(
        [
            (5.0, 6.0, "c", "u3"),
            (0.0, 2.0, "a", "u1"),
            (1.5, 3.0, "b", "u2"),  # overlaps a: a is clipped at 1.5
            (5.0, 7.0, "d", "u4"),  # starts with c: merged into one interval
            (8.0, 8.0, "e", "u5"),  # zero length: 1 ms
        ]
    )
    assert [(i.start_ms, i.end_ms, i.text, i.adjusted) for i in intervals] == [
        (0, 1500, "a", "clipped"),
        (1500, 3000, "b", None),
        (5000, 7000, "c d", "merged"),
        (8000, 8001, "e", None),
    ]
    assert intervals[2].utterance_ids == ("u3", "u4")


# --- tables and QDA transcripts -----------------------------------------------------------------


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_table_rows_hold_times_people_and_tags(con, tmp_path, fmt, delimiter):
    path = write(tmp_path, f"ex.{fmt}", export_meeting(con, "ex", fmt))
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter=delimiter)
        rows = list(reader)
        assert tuple(reader.fieldnames) == columns()
    assert len(rows) == len(EX_UTTERANCES)
    for row, (index, label, start_s, end_s, text) in zip(rows, EX_UTTERANCES):
        assert row["utterance_id"] == f"ex/u{index:05d}" and row["text"] == text
        assert abs(float(row["start_s"]) - start_s) < MS and abs(float(row["end_s"]) - end_s) < MS
        h, m, s = row["start"].split(":")
        assert abs(int(h) * 3600 + int(m) * 60 + float(s) - start_s) < MS
        assert row["speaker"] == (label or "") and row["participant_id"] == (PARTICIPANT[label] or "")
        assert f"{row['speaker_name']} ({row['role'].replace('_', ' ')})" == DISPLAY[label] or not row["role"]
        assert row["tagger_model_version"] == EX_VERSION
    assert (rows[1]["pseudonym"], rows[1]["role"], rows[1]["speaker_name"]) == ("Alex", "service_user", "Alex")
    assert (rows[4]["persuasion_p"], rows[4]["persuasion_label"], rows[4]["persuasion_raters"]) == (
        "0.9100",
        "yes",
        "yes",
    )
    assert (rows[5]["option_discussion_label"], rows[5]["option_discussion_raters"]) == ("yes", "no")
    assert rows[3]["peer_self_disclosure_label"] == "candidate" and rows[2]["peer_self_disclosure_label"] == "yes"
    assert rows[0]["persuasion_label"] == "no" and rows[0]["persuasion_raters"] == ""


PARAGRAPH = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\] (.+?): (.*)$")


def check_timestamped(paragraphs: list[str]) -> None:
    """``[hh:mm:ss] Name (role): text`` for every utterance, the time rounded down."""
    assert len(paragraphs) == len(EX_UTTERANCES)
    for paragraph, (_, label, start_s, _, text) in zip(paragraphs, EX_UTTERANCES):
        match = PARAGRAPH.match(paragraph)
        assert match, paragraph
        h, m, s, name, said = match.groups()
        assert int(h) * 3600 + int(m) * 60 + int(s) == int(start_s)
        assert (name, said) == (DISPLAY[label], text)


def test_txt_is_timestamped_paragraphs_and_nothing_else(con):
    text = export_meeting(con, "ex", "txt")
    paragraphs = text.strip("\n").split("\n\n")
    check_timestamped(paragraphs)
    assert "[00:00:25] Alex (service user): I'd prefer therapy --> really" in paragraphs  # 25.123 s


def test_docx_has_a_header_and_timestamped_paragraphs(con, tmp_path):
    document = docx.Document(str(write(tmp_path, "ex.docx", export_meeting(con, "ex", "docx"))))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [
        "Meeting ex",
        "Recorded on: 2026-03-02",
        "Duration: 00:01:00 (60.0 s)",
        f"Tagger: {EX_VERSION}; " + json.loads(export_meeting(con, "ex", "json"))["tagger"]["validation_status"],
    ]
    assert texts[4].startswith("Codes: after an utterance, in braces, the tags that count for it")
    transcript = [p for p in document.paragraphs if p.text.startswith("[")]
    check_timestamped(["".join(r.text for r in p.runs if not r.italic) for p in transcript])
    assert [r.text for r in transcript[1].runs if r.bold] == ["Alex (service user)"]
    # each utterance's codes are the tags that count for it, as the JSON export says
    counted = [
        sorted(t["tag"].replace("_", " ") for t in u["tags"] if t["counts"])
        for u in json.loads(export_meeting(con, "ex", "json"))["utterances"]
    ]
    codes = [
        sorted(r.text.strip()[1:-1].split(", ")) if (r := next((r for r in p.runs if r.italic), None)) else []
        for p in transcript
    ]
    assert codes == counted and any(codes)
    assert document.core_properties.title == "Meeting ex"


# --- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_exports_a_meeting_whose_consent_does_not_cover_analysis(con, fmt):
    with pytest.raises(ConsentError, match=r"meeting tx: consent status 'given', scope \['transcribe', 'review'\]"):
        export_meeting(con, "tx", fmt)
    with pytest.raises(ConsentError, match="meeting rf: consent status 'refused'"):
        export_meeting(con, "rf", fmt)
    with pytest.raises(LookupFailed, match="no meeting 'nope'"):
        export_meeting(con, "nope", fmt)


def test_unknown_format_and_speaker_ids(con):
    with pytest.raises(LookupFailed, match="unknown export format 'pdf'"):
        export_meeting(con, "ex", "pdf")
    with pytest.raises(LookupFailed, match="unknown speaker ids 'name'"):
        export_meeting(con, "ex", "rttm", ExportOptions(speaker_ids="name"))


def test_a_withdrawn_participant_is_in_no_export(tmp_path):
    db = build_export_db(tmp_path / "ex.duckdb", tmp_path / "ex.wav")
    withdraw_participant(db, "ex", "peer1", "form-2026-099")
    con = connect(db, read_only=True)
    data = json.loads(export_meeting(con, "ex", "json"))
    assert data["consent_note"] == "incomplete: the speech of 1 participant was withdrawn"
    assert "peer1" not in {p["participant_id"] for p in data["participants"]}
    assert TEXT[2] not in {u["text"] for u in data["utterances"]} and len(data["utterances"]) == len(EX_UTTERANCES) - 1
    eaf = Elan.Eaf(str(write(tmp_path, "ex.eaf", export_meeting(con, "ex", "eaf"))))
    assert "Sam (peer)" not in eaf.get_tier_names()
    assert dict(eaf.get_properties())["dialogic:consent_note"] == data["consent_note"]
    document = docx.Document(io.BytesIO(export_meeting(con, "ex", "docx")))
    assert f"Consent: {data['consent_note']}" in [p.text for p in document.paragraphs]
    con.close()

    # Should the withdrawn participant's speech come back (a manifest that lists them again and a
    # re-run), the export still leaves it out.
    con = connect(db)
    insert(con, "participants", {"meeting_id": "ex", "participant_id": "peer1", "role": "peer", "pseudonym": "Sam"})
    insert(con, "speakers", {"meeting_id": "ex", "speaker_label": "S9", "participant_id": "peer1", "speech_s": 2.0})
    insert(con, "utterances", utterance("ex", 99, "S9", 40.0, 42.0, "back again"))
    insert(
        con,
        "turns",
        {
            "meeting_id": "ex",
            "track": "overlap",
            "turn_index": 99,
            "speaker_label": "S9",
            "start_s": 40.0,
            "end_s": 42.0,
        },
    )
    con.close()
    con = connect(db, read_only=True)
    for fmt in ("json", "txt", "csv", "vtt", "eaf", "textgrid"):
        assert "back again" not in export_meeting(con, "ex", fmt), fmt
    assert "S9" not in export_meeting(con, "ex", "rttm") and "peer1" not in export_meeting(
        con, "ex", "rttm", ExportOptions(speaker_ids="participant")
    )
    assert "peer1" not in {p["participant_id"] for p in json.loads(export_meeting(con, "ex", "json"))["participants"]}


# --- the command --------------------------------------------------------------------------------


def test_cli_writes_each_format_and_refuses_docx_to_a_terminal(built, tmp_path):
    db, audio = built
    result = runner.invoke(app, ["export", "ex", "--format", "docx", "--db", str(db)])
    assert result.exit_code == 1 and "--format docx writes a binary file: give --output" in result.output

    out = tmp_path / "ex.docx"
    result = runner.invoke(app, ["export", "ex", "--format", "docx", "--output", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert docx.Document(str(out)).paragraphs[0].text == "Meeting ex"

    out = tmp_path / "ex.eaf"
    result = runner.invoke(app, ["export", "ex", "-f", "eaf", "-o", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    [media] = Elan.Eaf(str(out)).get_linked_files()
    assert (tmp_path / media["RELATIVE_MEDIA_URL"]).resolve() == audio

    result = runner.invoke(app, ["export", "ex", "-f", "rttm", "--speaker-ids", "participant", "--db", str(db)])
    assert result.exit_code == 0 and " su <NA> <NA>" in result.stdout

    result = runner.invoke(app, ["export", "tx", "-f", "txt", "--db", str(db)])
    assert result.exit_code == 1 and "exports need consent 'given' with 'analyse'" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output  # one line, no traceback

    result = runner.invoke(
        app, ["export", "ex", "-f", "txt", "-o", str(tmp_path / "missing" / "ex.txt"), "--db", str(db)]
    )
    assert result.exit_code == 1 and f"cannot write {tmp_path / 'missing' / 'ex.txt'}" in result.output
