"""Imported human transcripts through the real pipeline into a real DuckDB file: every format,
speakers matched by name, the views, re-runs, and malformed files beside good meetings."""

from __future__ import annotations

import json
import shutil
import wave
from pathlib import Path

import duckdb
import numpy as np
import pytest

from dialogic.db import connect
from dialogic.engines import Engine
from dialogic.errors import LookupFailed
from dialogic.export import export_meeting
from dialogic.manifest import load_manifest
from dialogic.options import PipelineOptions
from dialogic.paths import sql_dir
from dialogic.pipeline import process_manifest

DATA = Path(__file__).parent / "data" / "transcripts"
FORMATS = {
    "vtt": "meeting.vtt",
    "srt": "meeting.srt",
    "eaf": "meeting.eaf",
    "textgrid": "meeting.TextGrid",
    "csv": "meeting.csv",
    "tsv": "meeting.tsv",
    "txt": "meeting.txt",
}
PEOPLE = """
    participants:
      - {id: p1, role: service_user, pseudonym: Alex}
      - {id: p2, role: network, pseudonym: Maria, relation: mother}
      - {id: p3, role: clinician, pseudonym: Dr Lee, profession: psychiatrist}
      - {id: p4, role: peer, pseudonym: Sam}
"""
# by hand from the fixtures: seconds and words per participant (the same meeting in every format)
SPEECH_S = {"p1": 6.2 + 4.5, "p2": 4.5, "p3": 6.5 + 9.5 + 3.8, "p4": 7.7}
WORDS = {"p1": 16 + 9, "p2": 11, "p3": 15 + 23 + 10, "p4": 24}


def meeting_entry(meeting_id: str, transcript: str, extra: str = "") -> str:
    return (
        f"  - id: {meeting_id}\n    transcript: {transcript}\n{extra}"
        "    consent: {status: given, scope: [transcribe, analyse, review]}\n" + PEOPLE
    )


def study(tmp_path: Path, entries: list[str]) -> Path:
    for name in FORMATS.values():
        shutil.copyfile(DATA / name, tmp_path / name)
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("meetings:\n" + "".join(entries))
    return manifest


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def broken(tmp_path: Path, name: str, old: str, new: str) -> str:
    text = (DATA / name).read_text()
    assert old in text
    target = tmp_path / f"broken-{name}"
    target.write_text(text.replace(old, new, 1))
    return target.name


# one malformed copy per format, with the line each error must name
MALFORMED = {
    "vtt": ("meeting.vtt", "00:00:13.500 --> 00:00:18.000", "00:00:13.500 --> 00:00:1x.000", 15),
    "srt": ("meeting.srt", "00:00:13,500 --> 00:00:18,000", "00:00:13,500 --> 00:00:1x,000", 11),
    "eaf": ("meeting.eaf", 'TIME_VALUE="13500"', 'TIME_VALUE="13.5s"', 11),
    "textgrid": ("meeting.TextGrid", "xmax = 6.5 ", "xmax = 6.x5 ", 17),
    "csv": ("meeting.csv", "Maria,13.5,18,", "Maria,13.5,,", 4),
    "tsv": ("meeting.tsv", "Maria\t13.5\t18.0\t", "\t13.5\t18.0\t", 4),
    "txt": ("meeting.txt", "DR LEE: Thank", "Thank", 1),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Every format imported in one batch, with a malformed copy of each between them."""
    tmp_path = tmp_path_factory.mktemp("import")
    entries = []
    for fmt, name in FORMATS.items():
        entries.append(meeting_entry(fmt, name))
        source, old, new, _ = MALFORMED[fmt]
        entries.append(meeting_entry(f"bad-{fmt}", broken(tmp_path, source, old, new)))
    manifest = study(tmp_path, entries)
    db = tmp_path / "study.duckdb"
    # tagging is on: no meeting gives a language, so none loads the tagger, and each says why
    report = process_manifest(db, load_manifest(manifest), PipelineOptions())
    return db, report, tmp_path


def test_every_format_is_stored_and_each_malformed_file_is_named_with_its_line(batch):
    db, report, tmp_path = batch
    results = {r.meeting_id: r for r in report.results}
    for fmt in FORMATS:
        good, bad = results[fmt], results[f"bad-{fmt}"]
        assert good.status == "processed", (fmt, good.reason)
        assert good.words == sum(WORDS.values()) and good.speakers == 4
        assert bad.status == "failed"
        path = (tmp_path / f"broken-{MALFORMED[fmt][0]}").resolve()
        assert bad.reason.startswith(f"read-transcript: {path}: line {MALFORMED[fmt][3]}: "), bad.reason
    assert rows(db, "select distinct meeting_id from utterances order by 1") == sorted((f,) for f in FORMATS)
    failed_runs = rows(db, "select meeting_id from pipeline_runs where status = 'failed' order by 1")
    assert failed_runs == sorted((f"bad-{f}",) for f in FORMATS)


def test_speakers_are_matched_to_participants_by_name(batch):
    db, _, _ = batch
    for fmt in FORMATS:
        mapped = dict(rows(db, "select participant_id, mapped_by from speakers where meeting_id = ?", [fmt]))
        assert mapped == {p: "transcript name" for p in ("p1", "p2", "p3", "p4")}, fmt
    # the plain text's first spelling of a name is its label; "Dr Lee" and "Dr  Lee" are that speaker
    labels = rows(db, "select speaker_label from speakers where meeting_id = 'txt' order by 1")
    assert labels == [("Alex",), ("DR LEE",), ("Maria",), ("Sam",)]


def test_utterances_keep_the_transcripts_text_order_and_times(batch):
    db, _, _ = batch
    first_last = "select text from utterances where meeting_id = ? order by utterance_index"
    for fmt in FORMATS:
        texts = [t for (t,) in rows(db, first_last, [fmt])]
        assert texts[0] == "Thank you all for coming. Alex, what would you like us to talk about today?"
        assert texts[-1] == "Then let's try that & meet again in two weeks."
    assert rows(db, "select start_s, end_s from utterances where meeting_id = 'eaf' and utterance_index = 3") == [
        (18.4, 27.9)
    ]
    # no time is invented for the plain text
    assert rows(db, "select count(*), count(start_s), count(end_s) from utterances where meeting_id = 'txt'") == [
        (7, 0, 0)
    ]
    meetings = dict(
        (m, (source, timed, audio))
        for m, source, timed, audio in rows(db, "select meeting_id, source, timed, audio_path from meetings")
    )
    assert meetings["txt"] == ("transcript", False, None) and meetings["vtt"] == ("transcript", True, None)


def test_voice_shares_are_by_time_where_the_transcript_has_times_and_by_words_where_not(batch):
    db, _, _ = batch
    for fmt in FORMATS:
        shares = {
            p: (speech_s, speech_pct, words, words_pct, note)
            for p, speech_s, speech_pct, words, words_pct, note in rows(
                db,
                "select voice_id, speech_s, speech_pct, word_count, words_pct, timing_note "
                "from voice_share_participant where meeting_id = ?",
                [fmt],
            )
        }
        assert shares.keys() == SPEECH_S.keys(), fmt
        for p in SPEECH_S:
            speech_s, speech_pct, words, words_pct, note = shares[p]
            assert words == WORDS[p] and words_pct == pytest.approx(100 * WORDS[p] / 108)
            if fmt == "txt":
                assert speech_s is None and speech_pct is None
                assert note.startswith("no timing: the imported transcript has no times")
            else:
                assert speech_s == pytest.approx(SPEECH_S[p])
                assert speech_pct == pytest.approx(100 * SPEECH_S[p] / 42.7)
                assert note == "times from the imported transcript; overlaps not measured (no diarisation)"
    roles = dict(rows(db, "select role, words_pct from voice_share_role where meeting_id = 'txt'"))
    assert roles == pytest.approx(
        {"service_user": 2500 / 108, "network": 1100 / 108, "clinician": 4800 / 108, "peer": 2400 / 108}
    )


def test_untimed_meetings_get_no_time_based_figures(batch):
    db, _, _ = batch
    (balance,) = rows(
        db,
        "select speech_s, voice_entropy_bits, voice_gini, service_user_speech_pct, professional_to_lay_ratio "
        "from balance where meeting_id = 'txt'",
    )
    assert balance == (None, None, None, None, None)
    (turns,) = rows(
        db,
        "select meeting_min, turn_count, turns_per_min, gap_count, gap_s, overlap_count, interruption_count "
        "from turn_taking where meeting_id = 'txt'",
    )
    assert turns == (None, 7, None, None, None, None, None)
    assert rows(db, "select peer_speech_s, peer_speech_pct from peer_involvement where meeting_id = 'txt'") == [
        (None, None)
    ]
    assert rows(db, "select count(*) from voice_share_window where meeting_id = 'txt'") == [(0,)]
    # a timed import has gaps from its times, and no overlap figures (no diarisation ran)
    (timed,) = rows(
        db, "select turn_count, gap_count, round(gap_s, 6), overlap_count from turn_taking where meeting_id = 'vtt'"
    )
    assert timed == (7, 6, 2.3, None)  # gaps 0.5 + 0.3 + 0.4 + 0.4 + 0.5 + 0.2 s between the seven turns
    assert rows(db, "select count(distinct window_index) from voice_share_window where meeting_id = 'vtt'") == [(1,)]


def test_role_order_needs_no_times(batch):
    db, _, _ = batch
    transitions = "select from_role, to_role, transition_count from role_transitions where meeting_id = ? order by 1, 2"
    assert rows(db, transitions, ["txt"]) == rows(db, transitions, ["vtt"])
    # Dr Lee → Alex → Maria → Dr Lee → Sam → Alex → Dr Lee
    assert rows(db, transitions, ["txt"]) == [
        ("clinician", "peer", 1),
        ("clinician", "service_user", 1),
        ("network", "clinician", 1),
        ("peer", "service_user", 1),
        ("service_user", "clinician", 1),
        ("service_user", "network", 1),
    ]


def test_the_sql_assertions_hold_on_imported_meetings(batch):
    db, _, _ = batch
    con = connect(db, read_only=True)
    try:
        for check in sorted((sql_dir() / "tests").glob("assert_*.sql")):
            assert con.execute(check.read_text()).fetchall() == [], check.name
    finally:
        con.close()


def test_an_import_without_a_language_is_stored_but_not_tagged_and_says_why(batch):
    db, report, _ = batch
    results = {r.meeting_id: r for r in report.results}
    assert "not tagged: the transcript's language is not given (add `language: en`" in results["csv"].reason
    assert rows(db, "select count(*) from tags") == [(0,)]
    (run,) = rows(
        db, "select models, options, asr_model, transcript_sha256 from pipeline_runs where meeting_id = 'csv'"
    )
    assert json.loads(run[0]) == [] and run[2] is None and len(run[3]) == 64
    assert json.loads(run[1])["transcript_reader"] == 1


def test_exports_of_imported_meetings(batch):
    db, _, _ = batch
    con = connect(db, read_only=True)
    try:
        data = json.loads(export_meeting(con, "txt", "json"))
        assert data["duration_s"] is None and data["utterances"][0]["start_s"] is None
        assert data["utterances"][0]["participant_id"] == "p3" and data["utterances"][0]["words"] == []
        with pytest.raises(LookupFailed, match="has no times"):
            export_meeting(con, "txt", "srt")
        with pytest.raises(LookupFailed, match="no diarisation to write as RTTM"):
            export_meeting(con, "vtt", "rttm")
        vtt = export_meeting(con, "eaf", "vtt")
        assert "00:00:18.400 --> 00:00:27.900\n<v Dr Lee (clinician, psychiatrist)>There are a few options." in vtt
    finally:
        con.close()


def test_an_unchanged_transcript_is_skipped_and_a_changed_one_is_read_again(tmp_path):
    manifest = study(tmp_path, [meeting_entry("m", "meeting.srt")])
    db = tmp_path / "m.duckdb"
    options = PipelineOptions(tag=False)
    assert [r.status for r in process_manifest(db, load_manifest(manifest), options).results] == ["processed"]
    key = rows(db, "select processing_key from meetings")

    def guarded(meeting_id, stage, fn, *args, **kwargs):
        if stage in ("read-transcript", "store"):
            raise AssertionError("an unchanged transcript was read or stored again")
        return fn(*args, **kwargs)

    again = process_manifest(db, load_manifest(manifest), options, engine=Engine(call=guarded)).results
    assert [(r.status, r.reason) for r in again] == [
        ("unchanged", "same transcript, participants and language as the stored run")
    ]
    # a corrected transcript is read again and replaces the stored utterances
    path = tmp_path / "meeting.srt"
    path.write_text(path.read_text().replace("Then let's try that", "Then we try that"))
    (result,) = process_manifest(db, load_manifest(manifest), options).results
    assert result.status == "processed" and rows(db, "select processing_key from meetings") != key
    assert rows(db, "select count(*) from utterances where text like 'Then we try that%'") == [(1,)]
    assert rows(db, "select count(*) from utterances") == [(8,)]
    # so is a meeting whose participants' names changed: the matching depends on them
    manifest.write_text(manifest.read_text().replace("pseudonym: Sam", "pseudonym: Sammy"))
    (result,) = process_manifest(db, load_manifest(manifest), options).results
    assert result.status == "processed"
    assert rows(db, "select participant_id from speakers where speaker_label = 'Sam'") == [(None,)]
    assert any("'Sam'" in w for w in result.warnings)


def test_unmatched_names_are_warned_and_a_hand_mapping_survives_a_re_import(tmp_path):
    manifest = study(tmp_path, [meeting_entry("m", "meeting.txt")])
    manifest.write_text(manifest.read_text() + "      - {id: p5, role: other}\n")
    text = tmp_path / "meeting.txt"
    text.write_text(text.read_text() + "Interpreter: He says he agrees.\n")
    db = tmp_path / "m.duckdb"
    (result,) = process_manifest(db, load_manifest(manifest), PipelineOptions(tag=False)).results
    assert result.status == "processed"
    (warning,) = result.warnings
    assert "matching no participant" in warning and "'Interpreter'" in warning
    assert rows(db, "select transcript_warnings from meetings") == [([warning],)]
    assert rows(db, "select voice_id, role from voice_share_participant where voice_id like 'unmapped:%'") == [
        ("unmapped:Interpreter", "unknown")
    ]
    from dialogic.store.speakers import map_speakers

    con = connect(db)
    map_speakers(con, "m", {"Interpreter": "p5"}, mapped_by="rater")
    con.close()
    text.write_text(text.read_text().replace("He says he agrees.", "He says he agrees with the plan."))
    (again,) = process_manifest(db, load_manifest(manifest), PipelineOptions(tag=False)).results
    assert again.status == "processed" and again.warnings == []
    assert rows(db, "select participant_id, mapped_by from speakers where speaker_label = 'Interpreter'") == [
        ("p5", "rater")
    ]
    assert rows(db, "select action, from_label, reason from speaker_mapping_changes") == [
        ("kept", "Interpreter", "the same name in the transcript")
    ]


def _tone_wav(path: Path, seconds: float) -> None:
    rate = 16000
    t = np.arange(int(rate * seconds)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def test_audio_and_transcript_take_the_text_from_the_transcript_and_the_duration_from_the_audio(tmp_path):
    from dialogic.review.clips import utterance_span

    _tone_wav(tmp_path / "short.wav", 30.0)
    _tone_wav(tmp_path / "long.wav", 60.0)
    entries = [
        meeting_entry("short", "meeting.vtt", "    audio: short.wav\n"),
        meeting_entry("long", "meeting.vtt", "    audio: long.wav\n"),
        meeting_entry("text", "meeting.txt", "    audio: long.wav\n"),
    ]
    db = tmp_path / "a.duckdb"
    report = process_manifest(db, load_manifest(study(tmp_path, entries)), PipelineOptions(tag=False))
    results = {r.meeting_id: r for r in report.results}
    assert all(r.status == "processed" for r in results.values()), results
    assert results["long"].warnings == [] and results["text"].warnings == []
    assert results["short"].warnings == [
        "the transcript runs to 45.0 s but the recording lasts 30.0 s: is it this recording's transcript, "
        "timed from its start?"
    ]
    assert set(results["long"].timings_s) >= {"hash", "read-transcript", "decode", "store"}
    assert "transcribe" not in results["long"].timings_s and "align" not in results["long"].timings_s
    meetings = {m: (s, d) for m, s, d in rows(db, "select meeting_id, source, duration_s from meetings")}
    assert meetings == {
        "short": ("audio+transcript", 30.0),
        "long": ("audio+transcript", 60.0),
        "text": ("audio+transcript", 60.0),
    }
    assert rows(db, "select count(*) from words") == [(0,)]
    # the imported utterance is heard from the recording; an untimed one has nothing to cut
    con = connect(db, read_only=True)
    try:
        span = utterance_span(con, "long/u00003")
        assert span.audio_path == (tmp_path / "long.wav").resolve() and span.start_s == pytest.approx(18.4 - 0.15)
        with pytest.raises(LookupFailed, match="has no times"):
            utterance_span(con, "text/u00000")
    finally:
        con.close()


@pytest.mark.models  # the real tagger (its encoder's weights from `dialogic models fetch`)
def test_imported_utterances_are_tagged_with_their_speakers_roles(tmp_path):
    entries = [
        meeting_entry("timed", "meeting.vtt", "    language: en\n"),
        meeting_entry("untimed", "meeting.txt", "    language: en\n"),
    ]
    db = tmp_path / "tagged.duckdb"
    report = process_manifest(db, load_manifest(study(tmp_path, entries)), PipelineOptions())
    results = {r.meeting_id: r for r in report.results}
    assert [(r.status, r.reason) for r in results.values()] == [("processed", None), ("processed", None)]
    assert results["timed"].tags == 8 * 4 and results["untimed"].tags == 7 * 4
    assert rows(db, "select meeting_id, count(*) from tags group by 1 order by 1") == [("timed", 32), ("untimed", 28)]
    # every utterance carries its tagger's figures and its speaker's role, timed or not
    tagged = rows(
        db,
        "select meeting_id, count(*), count(tagger_model_version), count(distinct role) from utterances_tagged "
        "group by 1 order by 1",
    )
    assert tagged == [("timed", 8, 8, 4), ("untimed", 7, 7, 4)]
    assert rows(db, "select role from utterances_tagged where meeting_id = 'untimed' and text like 'When I was%'") == [
        ("peer",)
    ]
    proxy = rows(
        db, "select meeting_id, score_0_100 between 0 and 100, validation_status from sdm_option5_proxy order by 1"
    )
    assert [(m, ok) for m, ok, _ in proxy] == [("timed", True), ("untimed", True)]
    assert all("not validated on this study" in status for _, _, status in proxy)
    # the same text gives the same labels whether or not it has times
    labels = (
        "select text, option_discussion_label, preference_elicitation_label, persuasion_label, "
        "peer_self_disclosure_label from utterances_tagged where meeting_id = ? and text = ?"
    )
    for text in ("I would like to try a lower dose first.", "He sleeps until noon most days, and I worry about him."):
        assert rows(db, labels, ["timed", text]) == rows(db, labels, ["untimed", text])


def test_merging_imported_speakers_measures_speech_from_the_transcript(tmp_path):
    from dialogic.store.speakers import merge_speakers

    entries = [meeting_entry("timed", "meeting.vtt"), meeting_entry("untimed", "meeting.txt")]
    db = tmp_path / "merge.duckdb"
    process_manifest(db, load_manifest(study(tmp_path, entries)), PipelineOptions(tag=False))
    con = connect(db)
    try:
        con.execute("update speakers set participant_id = null where speaker_label = 'Maria'")
        merged = merge_speakers(con, "timed", "Maria", "Alex")
        assert merged["speech_s"] == pytest.approx(10.7 + 4.5) and merged["longest_turn_s"] == pytest.approx(6.2)
        merged = merge_speakers(con, "untimed", "Maria", "Alex")
        assert merged["speech_s"] is None and merged["longest_turn_s"] is None
        assert con.execute("select count(*) from speakers where speaker_label = 'Maria'").fetchone() == (0,)
        alex = "select meeting_id, count(*) from utterances where speaker_label = 'Alex' group by 1 order by 1"
        assert con.execute(alex).fetchall() == [("timed", 3), ("untimed", 3)]  # Alex's two and Maria's one
    finally:
        con.close()


def test_the_review_app_shows_an_untimed_import_and_says_it_has_no_audio(tmp_path):
    from review_server import login, serve

    from dialogic.review.app import create_app
    from dialogic.store.raters import add_rater

    db = tmp_path / "review.duckdb"
    process_manifest(
        db, load_manifest(study(tmp_path, [meeting_entry("m", "meeting.txt")])), PipelineOptions(tag=False)
    )
    con = connect(db)
    add_rater(con, "alice", "a long enough password")
    con.close()
    with serve(create_app(db)) as base_url:
        client, _ = login(base_url, "alice", "a long enough password")
        item = client.get("/item/m/u00004")
        assert item.status_code == 200 and "no times" in item.text and "When I was in hospital" in item.text
        audio = client.get("/audio/utterance/m/u00004")
        assert audio.status_code == 404 and "has no times" in audio.text
        speakers = client.get("/speakers/m")
        assert speakers.status_code == 200 and "DR LEE" in speakers.text and "no times" in speakers.text
        client.close()


def test_dialogic_process_imports_transcripts_and_prints_warnings_and_failures(tmp_path):
    from typer.testing import CliRunner

    from dialogic.cli import app

    transcript = tmp_path / "meeting.txt"
    entries = [
        meeting_entry("good", "meeting.txt"),
        meeting_entry("bad", broken(tmp_path, "meeting.srt", "\n\n4\n", "\n\nfour\n")),
    ]
    manifest = study(tmp_path, entries)
    transcript.write_text(transcript.read_text() + "Interpreter: He agrees.\n")
    result = CliRunner().invoke(app, ["process", str(manifest), "--db", str(tmp_path / "cli.duckdb"), "--no-tag"])
    assert result.exit_code == 2, result.output  # a failed meeting
    output = " ".join(result.output.split())
    assert "good: warning: transcript speaker(s) matching no participant" in output and "'Interpreter'" in output
    assert "1 processed, 0 unchanged, 0 skipped, 1 failed" in output
    # the narrow table folds the reason inside words: compare it without the table's spacing
    squashed = "".join(c for c in result.output if not c.isspace() and c != "│")
    assert "broken-meeting.srt:line14:expectedasubtitlenumber,found'four'" in squashed


def test_a_withdrawn_participant_stays_out_when_a_changed_transcript_is_read_again(tmp_path):
    from dialogic.consent import withdraw_participant

    manifest = study(tmp_path, [meeting_entry("m", "meeting.csv")])
    db = tmp_path / "w.duckdb"
    process_manifest(db, load_manifest(manifest), PipelineOptions(tag=False))
    withdraw_participant(db, "m", "p2", "form-2026-044", by="test")
    assert rows(db, "select count(*) from utterances where speaker_label = 'Maria'") == [(0,)]
    path = tmp_path / "meeting.csv"
    path.write_text(path.read_text().replace("Then let's try that", "Then we try that"))
    (result,) = process_manifest(db, load_manifest(manifest), PipelineOptions(tag=False)).results
    assert result.status == "processed" and result.utterances == 6
    assert result.warnings == ["1 utterance(s) of withdrawn participant(s) p2 left out: their consent was withdrawn"]
    assert rows(db, "select count(*) from utterances where speaker_label = 'Maria' or text like 'He sleeps%'") == [(0,)]
    assert rows(db, "select list(utterance_index order by utterance_index) from utterances") == [([0, 1, 2, 3, 4, 5],)]
