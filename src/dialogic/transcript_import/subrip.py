"""SubRip (.srt) transcripts (srt): a subtitle's speaker is its ``Name:`` prefix, else the
previous subtitle's speaker."""

from __future__ import annotations

import re
from pathlib import Path

import srt

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import blocks, malformed, read_text, shared_cue_note, speaker_turns

_TIME = r"(\d+):([0-5]\d):([0-5]\d)[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # <i>, <font ...>, {\an8}


def read_srt(path: Path) -> ImportedTranscript:
    """Read a SubRip file; TranscriptError naming the line of a malformed subtitle."""
    text = read_text(path)
    timing_lines = _check_subtitles(path, text.splitlines())
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise malformed(path, text[: exc.actual_start].count("\n") + 1, f"not valid SubRip: {exc}") from exc
    if len(subtitles) != len(timing_lines):
        raise malformed(path, None, f"srt read {len(subtitles)} subtitles where {len(timing_lines)} blocks are")
    segments: list[TranscriptSegment] = []
    shared = 0
    for subtitle, line in zip(subtitles, timing_lines):
        start_s, end_s = subtitle.start.total_seconds(), subtitle.end.total_seconds()
        if end_s < start_s:
            raise malformed(path, line, "the subtitle ends before it starts")
        lines = [_MARKUP.sub("", raw) for raw in subtitle.content.splitlines()]
        runs = speaker_turns(lines, segments[-1].speaker if segments else None)
        shared += len({speaker for speaker, _ in runs}) > 1
        for speaker, words in runs:
            if not words:
                continue
            if speaker is None:
                raise malformed(path, line + 1, "the first subtitle names no speaker: start its text with 'Name: '")
            segments.append(TranscriptSegment(speaker, start_s, end_s, words, line))
    notes = [shared_cue_note(shared)] if shared else []
    return ImportedTranscript(path, "srt", segments, timed=True, notes=notes)


def _check_subtitles(path: Path, lines: list[str]) -> list[int]:
    """The line of each subtitle's timing. The srt library reads ``00:00:0x,500`` as 0 s and folds
    a stray block into the subtitle before it, so each block is checked here first."""
    found = []
    for start, block in blocks(lines):
        if not block[0].strip().isdigit():
            raise malformed(path, start, f"expected a subtitle number, found {block[0].strip()!r}")
        if len(block) < 2 or not _TIMING.match(block[1]):
            found_text = block[1].strip() if len(block) > 1 else "nothing"
            raise malformed(
                path, start + 1, f"bad subtitle timing {found_text!r}: expected 'hh:mm:ss,mmm --> hh:mm:ss,mmm'"
            )
        for offset, line in enumerate(block[2:], start=2):
            if "-->" in line:
                raise malformed(
                    path, start + offset, "a timing line inside a subtitle: a blank line is missing before it"
                )
        found.append(start + 1)
    return found
