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
"""

from __future__ import annotations

from pathlib import Path

from dialogic.errors import TranscriptError
from dialogic.records import ImportedTranscript

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

        return read_delimited(path, fmt)
    else:
        from dialogic.transcript_import.plain import read_plain as reader
    transcript = reader(path)
    if not transcript.segments:
        raise TranscriptError(f"{path}: no speech in the transcript (every segment is empty)")
    return transcript
