"""The transcript readers on hand-made files of every format, and on malformed ones: each error
names the file and the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogic.errors import TranscriptError
from dialogic.manifest import Participant
from dialogic.transcript_import import read_transcript, transcript_format
from dialogic.transcript_import.matching import label_segments, match_speakers
from dialogic.transcript_import.text_file import parse_time_s, split_name

DATA = Path(__file__).parent / "data" / "transcripts"
TIMED = ["meeting.vtt", "meeting.srt", "meeting.eaf", "meeting.TextGrid", "meeting.csv", "meeting.tsv"]
# seconds each speaker speaks in every timed fixture, by hand from the cue times
SPEECH_S = {"Dr Lee": 6.5 + 9.5 + 3.8, "Alex": 6.2 + 4.5, "Maria": 4.5, "Sam": 7.7}
FIRST = "Thank you all for coming. Alex, what would you like us to talk about today?"
LAST = "Then let's try that & meet again in two weeks."


@pytest.mark.parametrize("name", TIMED)
def test_every_timed_format_reads_the_same_meeting(name):
    transcript = read_transcript(DATA / name)
    assert transcript.timed and transcript.notes == []
    speech: dict[str, float] = {}
    for s in transcript.segments:
        speech[s.speaker] = speech.get(s.speaker, 0.0) + s.end_s - s.start_s
    assert speech.keys() == SPEECH_S.keys()
    assert all(abs(speech[k] - SPEECH_S[k]) < 1e-9 for k in SPEECH_S), speech
    assert transcript.segments[0].text == FIRST and transcript.segments[-1].text == LAST
    starts = [s.start_s for s in transcript.segments]
    assert starts == sorted(starts)
    # the text of the whole meeting, whatever the format's layout
    words = " ".join(s.text for s in transcript.segments).split()
    assert len(words) == 15 + 16 + 11 + 23 + 24 + 9 + 10  # counted by hand, utterance by utterance


def test_formats_keep_what_their_libraries_give():
    vtt = read_transcript(DATA / "meeting.vtt")
    # a cue without a voice continues the speaker before it; lines are where each cue's timing is
    assert [(s.speaker, s.line) for s in vtt.segments[3:5]] == [("Dr Lee", 19), ("Dr Lee", 23)]
    assert vtt.segments[1].text == "I want to talk about the medication. It makes me so tired that I can't work."
    srt = read_transcript(DATA / "meeting.srt")
    assert srt.segments[2].speaker == "Maria"  # the name inside <i>…</i>
    eaf = read_transcript(DATA / "meeting.eaf")
    # PARTICIPANT names the speaker, else the tier id; the dependent note tier is not speech
    assert {s.speaker for s in eaf.segments} == {"Dr Lee", "Alex", "Maria", "Sam"}
    assert not any("transcriber" in s.text for s in eaf.segments)
    assert eaf.segments[0].line == 24
    grid = read_transcript(DATA / "meeting.TextGrid")
    assert grid.segments[0].line == 16 and grid.format == "textgrid"
    csv = read_transcript(DATA / "meeting.csv")
    assert csv.segments[3].text.endswith(
        "or pause it for a while with weekly check-ins."
    )  # a quoted field over two lines
    assert [s.line for s in csv.segments] == [2, 3, 4, 5, 7, 9, 10]


def test_plain_text_has_no_times_and_continues_lines():
    transcript = read_transcript(DATA / "meeting.txt")
    assert not transcript.timed and transcript.format == "txt"
    assert all(s.start_s is None and s.end_s is None for s in transcript.segments)
    assert [(s.speaker, s.line) for s in transcript.segments] == [
        ("DR LEE", 1),
        ("Alex", 2),
        ("Maria", 4),
        ("Dr Lee", 6),
        ("Sam", 7),
        ("Alex", 8),
        ("Dr Lee", 9),
    ]
    assert transcript.segments[1].text == "I want to talk about the medication. It makes me so tired that I can't work."


def test_a_csv_without_start_and_end_is_untimed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Speaker,Text\nAlex,Hello there\nMaria,Hi\n")
    transcript = read_transcript(path)
    assert not transcript.timed and [s.speaker for s in transcript.segments] == ["Alex", "Maria"]


def test_a_cue_with_two_speakers_gives_both_its_span_and_says_so(tmp_path):
    path = tmp_path / "two.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Alex>Hi.\n<v Maria>Hello.\n")
    transcript = read_transcript(path)
    assert [(s.speaker, s.start_s, s.end_s) for s in transcript.segments] == [
        ("Alex", 1.0, 3.0),
        ("Maria", 1.0, 3.0),
    ]
    assert "1 cue(s) hold more than one speaker" in transcript.notes[0]


def _broken(tmp_path: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    text = (DATA / name).read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, count))
    return path


MALFORMED = [
    ("meeting.vtt", "00:00:13.500 --> 00:00:18.000", "00:00:13.500 --> 00:00:1x.000", 15, "bad cue timing"),
    ("meeting.vtt", "00:00:13.500 --> 00:00:18.000", "00:00:13.500 -> 00:00:18.000", 15, "expected a cue timing"),
    ("meeting.vtt", "00:00:36.500 --> 00:00:41.000", "00:00:46.500 --> 00:00:41.000", 31, "ends (00:00:41.000) before"),
    ("meeting.vtt", "him.\n\n4\n", "him.\n4\n", 18, "a cue timing inside a cue"),
    ("meeting.vtt", "WEBVTT", "WEB VTT", 1, "must start with 'WEBVTT'"),
    ("meeting.vtt", "<v Dr Lee>Thank", "Thank", 6, "the first cue names no speaker"),
    ("meeting.srt", "00:00:13,500 --> 00:00:18,000", "00:00:13,500 --> 00:00:1x,000", 11, "bad subtitle timing"),
    ("meeting.srt", "\n\n4\n", "\n\nfour\n", 14, "expected a subtitle number, found 'four'"),
    ("meeting.srt", "00:00:07,000 --> 00:00:13,200", "00:00:17,000 --> 00:00:13,200", 6, "ends before it starts"),
    ("meeting.eaf", 'TIME_VALUE="13500"', 'TIME_VALUE="13.5s"', 11, "expected whole milliseconds"),
    ("meeting.eaf", 'TIME_SLOT_REF2="ts6"', 'TIME_SLOT_REF2="ts60"', 60, "time slot 'ts60', which the TIME_ORDER"),
    ("meeting.eaf", "<ANNOTATION_VALUE>He sleeps", "<ANNOTATION_VALUE>He <sleeps", 61, "not well-formed XML"),
    ("meeting.eaf", 'TIME_SLOT_ID="ts9" TIME_VALUE="28300"', 'TIME_SLOT_ID="ts9"', 67, "boundary without a time value"),
    ("meeting.eaf", 'TIME_VALUE="45000"', 'TIME_VALUE="40000"', 34, "ends before it starts"),
    ("meeting.TextGrid", "xmax = 6.5 ", "xmax = 6.x5 ", 17, "unexpected '6.x5'"),
    ("meeting.TextGrid", 'text = "He sleeps', "text = He sleeps", 74, "unexpected 'He'"),
    ("meeting.TextGrid", "xmin = 13.5 \n", "xmin = 19.5 \n", 72, "ends (18.0) before it starts (19.5)"),
    ("meeting.TextGrid", '"ooTextFile"', '"binaryFile"', 1, "not a Praat TextGrid"),
    ("meeting.csv", "Maria,13.5,18,", "Maria,13.5,,", 4, "row 3 has no end"),
    ("meeting.csv", "Alex,36.5,41.0,", "Alex,36.5,4l.0,", 9, "row 6: bad end time '4l.0'"),
    ("meeting.csv", "Sam,28.3,36.0,", "Sam,38.3,36.0,", 7, "row 5 ends (36.0 s) before it starts (38.3 s)"),
    (
        "meeting.csv",
        "speaker,start,end,text",
        "speaker,start,text",
        1,
        "needs 'speaker' and 'text', and 'start' with 'end'",
    ),
    ("meeting.tsv", "Maria\t13.5\t18.0\t", "\t13.5\t18.0\t", 4, "row 3 has no speaker"),
    ("meeting.txt", "DR LEE: Thank", "Thank", 1, "text before any speaker"),
]


@pytest.mark.parametrize(("name", "old", "new", "line", "problem"), MALFORMED)
def test_a_malformed_file_is_reported_with_its_file_and_line(tmp_path, name, old, new, line, problem):
    path = _broken(tmp_path, name, old, new)
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line {line}: "), message
    assert problem in message


def test_a_truncated_textgrid_says_so_at_its_last_line(tmp_path):
    text = (DATA / "meeting.TextGrid").read_text()
    path = tmp_path / "cut.TextGrid"
    path.write_text(text[: text.index('name = "Maria"')])
    with pytest.raises(
        TranscriptError, match=rf"^{path}: line 62: the file ends where a tier name should be: it is truncated"
    ):
        read_transcript(path)


def test_unknown_missing_and_undecodable_files_are_named(tmp_path):
    with pytest.raises(TranscriptError, match=r"notes\.docx: unknown transcript format '\.docx'"):
        transcript_format(tmp_path / "notes.docx")
    with pytest.raises(TranscriptError, match="no such transcript file"):
        read_transcript(tmp_path / "gone.srt")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Alex: ok\nMaria: Gr\xfc\xdfe\n".encode("latin-1"))
    with pytest.raises(TranscriptError, match=r"latin\.txt: line 2: not UTF-8 text"):
        read_transcript(latin)
    empty = tmp_path / "empty.vtt"
    empty.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alex>\n")
    with pytest.raises(TranscriptError, match="no speech in the transcript"):
        read_transcript(empty)


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "u16.TextGrid"
    path.write_bytes((DATA / "meeting.TextGrid").read_text().encode("utf-16"))
    assert len(read_transcript(path).segments) == 7
    shutil.copyfile(DATA / "meeting.txt", tmp_path / "copy.txt")


def test_praats_short_layout_reads_as_the_long_one(tmp_path):
    from praatio import textgrid

    grid = textgrid.openTextgrid(str(DATA / "meeting.TextGrid"), includeEmptyIntervals=True)
    short = tmp_path / "short.TextGrid"
    grid.save(str(short), format="short_textgrid", includeBlankSpaces=True)
    long, brief = read_transcript(DATA / "meeting.TextGrid"), read_transcript(short)
    assert [(s.speaker, s.start_s, s.end_s, s.text) for s in brief.segments] == [
        (s.speaker, s.start_s, s.end_s, s.text) for s in long.segments
    ]
    # each interval's line is its start time's, in the short layout too
    lines = short.read_text().splitlines()
    assert all(lines[s.line - 1].strip() == f"{s.start_s:g}" for s in brief.segments)


def test_times_in_seconds_or_clock_form():
    assert parse_time_s("12.5") == 12.5
    assert parse_time_s("01:02:03.250") == 3723.25
    assert parse_time_s("02:03,5") == 123.5
    for bad in ("-1", "1:2:3:4", "12s", "", "1:75"):
        with pytest.raises(ValueError):
            parse_time_s(bad)


def test_names_before_a_colon_are_speakers_but_times_and_sentences_are_not():
    assert split_name("Dr  Lee: Then") == ("Dr Lee", "Then")
    assert split_name("- Maria: yes") == ("Maria", "yes")
    assert split_name("At 10:30 we met") == (None, "At 10:30 we met")
    assert split_name("This is a long sentence with words: yes")[0] is None


def test_speakers_match_participants_by_any_name_and_ambiguity_stays_unmapped():
    participants = [
        Participant("p1", "service_user", pseudonym="Alex"),
        Participant("p2", "network", pseudonym="Maria", relation="mother"),
        Participant("p3", "clinician", pseudonym="Dr Lee", profession="psychiatrist"),
        Participant("p4", "peer", pseudonym="Sam"),
        Participant("p5", "network", pseudonym="Sam"),
    ]
    labels = ["DR  lee", "alex", "Mother", "Sam", "Interpreter", "P4"]
    matched, warnings = match_speakers(labels, participants)
    assert matched == {"DR  lee": "p3", "alex": "p1", "Mother": "p2", "Sam": None, "Interpreter": None, "P4": "p4"}
    assert "'Interpreter'" in warnings[0] and "'Sam' (p4, p5)" in warnings[1]


def test_names_differing_in_case_or_spacing_are_one_speaker_labelled_as_first_written():
    utterances = label_segments(read_transcript(DATA / "meeting.txt").segments)
    assert [u.speaker for u in utterances] == ["DR LEE", "Alex", "Maria", "DR LEE", "Sam", "Alex", "DR LEE"]
    assert [u.index for u in utterances] == list(range(7))
