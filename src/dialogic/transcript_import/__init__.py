"""Human transcripts in: a meeting's ``transcript:`` read into an `ImportedTranscript`.

One reader per format, chosen by the file's extension:

    .vtt       WebVTT (webvtt-py): a cue's speaker is its voice span ``<v Name>`` or a ``Name:`` prefix
    .srt       SubRip (srt): a ``Name:`` prefix
    .eaf       ELAN (pympi): each top-level tier is a speaker (its PARTICIPANT attribute, else its id)
    .textgrid  Praat TextGrid (praatio): each interval tier is a speaker (the tier's name)
    .csv .tsv  a header row naming ``speaker``, ``text`` and, for timed rows, ``start`` and ``end``
    .txt       ``Name: text`` lines, no times; a line without a name continues the one before

In subtitles (VTT, SRT) a cue or line without a name continues the previous speaker, as subtitle
files name a speaker only when the speaker changes. Every reader checks the file line by line
before trusting its library (the subtitle libraries read ``00:00:0x,500`` as a time, and praatio
reads a truncated TextGrid without complaint), so a malformed file raises `TranscriptError`
naming the file and the line.

Whatever the format, `read_transcript` then holds every transcript to the same limits
(docs/security.md): a file of at most `MAX_TRANSCRIPT_BYTES`, times between 0 and
`MAX_TIME_S`, utterances of at most `MAX_UTTERANCE_WORDS` words; control characters (NUL and the
like, which no transcript means to hold) are removed, and a note says so.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from dialogic.errors import TranscriptError
from dialogic.records import ImportedTranscript, TranscriptSegment

# A two-hour meeting's transcript is about 0.2 MB and 20,000 words; one person's longest turn a
# few minutes (130 words a minute). The limits leave room many times over and stop a file that is
# not a transcript (or a whole transcript on one line) before it becomes one giant utterance.
MAX_TRANSCRIPT_BYTES = 20 * 10**6
MAX_UTTERANCE_WORDS = 5_000
MAX_TIME_S = 24 * 3600.0
# C0 and C1 control characters and DEL, except the tab, line feed and carriage return that are
# white space (and are folded into single spaces by the readers).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

FORMATS: dict[str, str] = {
    ".vtt": "vtt",
    ".srt": "srt",
    ".eaf": "eaf",
    ".textgrid": "textgrid",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
}


def transcript_format(path: str | Path) -> str:
    """The format a transcript file is read as, from its extension; TranscriptError for others."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TranscriptError(
            f"{path}: unknown transcript format {suffix or '(no extension)'!r}, expected one of: " + ", ".join(FORMATS)
        )
    return FORMATS[suffix]


def read_transcript(path: str | Path) -> ImportedTranscript:
    """Read a human transcript: its segments in the order spoken, each with its speaker's name as
    written, its times (None for plain text) and the line it starts on. Raises TranscriptError
    naming the file (and line) when it is missing, of an unknown format or malformed."""
    path = Path(path)
    fmt = transcript_format(path)
    if not path.is_file():
        raise TranscriptError(f"{path}: no such transcript file")
    size = path.stat().st_size
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            f"{path}: the file is {size / 10**6:.1f} MB; a transcript may be at most "
            f"{MAX_TRANSCRIPT_BYTES / 10**6:g} MB (a two-hour meeting is about 0.2 MB)"
        )
    # imported here: each reader loads its own library
    if fmt == "vtt":
        from dialogic.transcript_import.vtt import read_vtt as reader
    elif fmt == "srt":
        from dialogic.transcript_import.subrip import read_srt as reader
    elif fmt == "eaf":
        from dialogic.transcript_import.elan import read_eaf as reader
    elif fmt == "textgrid":
        from dialogic.transcript_import.praat import read_textgrid as reader
    elif fmt in ("csv", "tsv"):
        from dialogic.transcript_import.delimited import read_delimited

        reader = lambda path: read_delimited(path, fmt)  # noqa: E731
    else:
        from dialogic.transcript_import.plain import read_plain as reader
    transcript = check_transcript(reader(path))
    if not transcript.segments:
        raise TranscriptError(f"{path}: no speech in the transcript (every segment is empty)")
    return transcript


def check_transcript(transcript: ImportedTranscript) -> ImportedTranscript:
    """``transcript`` within the limits every format shares: TranscriptError (file and line) for a
    time that is not a number of seconds between 0 and `MAX_TIME_S` or an utterance of more than
    `MAX_UTTERANCE_WORDS` words; control characters removed from names and text, with a note."""
    path = transcript.path
    segments: list[TranscriptSegment] = []
    cleaned_lines: list[int] = []
    removed = 0
    for segment in transcript.segments:
        for name, value in (("start", segment.start_s), ("end", segment.end_s)):
            if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_TIME_S):
                raise TranscriptError(
                    f"{path}: line {segment.line}: {name} time {value!r} s is outside 0 to "
                    f"{MAX_TIME_S:g} s (24 hours); check the time column"
                )
        speaker, n_speaker = _CONTROL.subn("", segment.speaker)
        text, n_text = _CONTROL.subn("", segment.text)
        if n_speaker or n_text:
            removed += n_speaker + n_text
            cleaned_lines.append(segment.line)
            segment = dataclasses.replace(segment, speaker=" ".join(speaker.split()), text=" ".join(text.split()))
        words = len(segment.text.split())
        if words > MAX_UTTERANCE_WORDS:
            raise TranscriptError(
                f"{path}: line {segment.line}: one utterance of {words:,} words; an utterance may have at most "
                f"{MAX_UTTERANCE_WORDS:,} (is the transcript one long line? split it into speaker turns)"
            )
        if segment.text:
            segments.append(segment)
    notes = list(transcript.notes)
    if removed:
        shown = ", ".join(str(n) for n in cleaned_lines[:10]) + (" …" if len(cleaned_lines) > 10 else "")
        notes.append(
            f"{removed} control character(s) (such as NUL) removed from the transcript text on line(s) {shown}"
        )
    return dataclasses.replace(transcript, segments=segments, notes=notes)
