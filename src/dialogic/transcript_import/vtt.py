"""WebVTT transcripts (webvtt-py): a cue's speaker is its voice span ``<v Name>``, else a
``Name:`` prefix, else the previous cue's speaker."""

from __future__ import annotations

import html
import re
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.models import Timestamp

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import blocks, malformed, read_text, shared_cue_note, speaker_turns

# webvtt-py's strict timing (the WebVTT format's): hh:mm:ss.mmm or mm:ss.mmm, then cue settings
_TIMING = re.compile(r"^\s*((?:\d{2,}:)?\d{2}:\d{2}\.\d{3})\s*-->\s*((?:\d{2,}:)?\d{2}:\d{2}\.\d{3})(?=\s|$)")
_VOICE = re.compile(r"<v(?:\.[\w-]+)*\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")


def read_vtt(path: Path) -> ImportedTranscript:
    """Read a WebVTT file; TranscriptError naming the line of a malformed cue."""
    text = read_text(path)
    lines = text.splitlines()
    if not lines or not lines[0].startswith("WEBVTT"):
        raise malformed(path, 1, "not a WebVTT file: the first line must start with 'WEBVTT'")
    cue_lines = _check_cues(path, lines)
    try:
        captions = webvtt.WebVTT.from_string(text, strict=True).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise malformed(path, None, f"not valid WebVTT: {exc}") from exc
    if len(captions) != len(cue_lines):
        raise malformed(path, None, f"webvtt-py read {len(captions)} cues where {len(cue_lines)} cue blocks are")
    segments: list[TranscriptSegment] = []
    shared = 0
    for caption, line in zip(captions, cue_lines):
        start_s = caption.start_time.in_milliseconds() / 1000
        end_s = caption.end_time.in_milliseconds() / 1000
        if end_s < start_s:
            raise malformed(path, line, f"the cue ends ({caption.end}) before it starts ({caption.start})")
        runs = speaker_turns([_voiced(raw) for raw in caption.lines], segments[-1].speaker if segments else None)
        shared += len({speaker for speaker, _ in runs}) > 1
        for speaker, words in runs:
            if not words:
                continue
            if speaker is None:
                raise malformed(
                    path, line, "the first cue names no speaker: write '<v Name>' or 'Name: ' before its text"
                )
            segments.append(TranscriptSegment(speaker, start_s, end_s, words, line))
    notes = [shared_cue_note(shared)] if shared else []
    return ImportedTranscript(path, "vtt", segments, timed=True, notes=notes)


def _voiced(raw: str) -> str:
    """A cue line with its voice span turned into a ``Name:`` prefix and other markup removed."""
    voice = _VOICE.search(raw)
    line = html.unescape(_TAG.sub("", raw)).strip()
    return f"{' '.join(voice.group(1).split())}: {line}" if voice else line


def _check_cues(path: Path, lines: list[str]) -> list[int]:
    """The line of each cue's timing; TranscriptError for a block that is neither a cue nor a
    NOTE, STYLE or REGION block, or a timing webvtt-py would reject or silently skip."""
    found = []
    for start, block in blocks(lines)[1:]:  # the first block is the WEBVTT header
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        at = 0 if "-->" in block[0] or len(block) == 1 else 1  # the timing, after an optional identifier
        if "-->" not in block[at]:
            raise malformed(
                path, start + at, f"expected a cue timing 'hh:mm:ss.mmm --> hh:mm:ss.mmm', found {block[at].strip()!r}"
            )
        match = _TIMING.match(block[at])
        if not match:
            raise malformed(
                path, start + at, f"bad cue timing {block[at].strip()!r}: expected 'hh:mm:ss.mmm --> hh:mm:ss.mmm'"
            )
        for value in match.groups():
            try:
                Timestamp.from_string(value)
            except MalformedCaptionError as exc:
                raise malformed(path, start + at, f"bad time {value!r}: {exc}") from exc
        for offset, line in enumerate(block[at + 1 :], start=at + 1):
            if "-->" in line:
                raise malformed(path, start + offset, "a cue timing inside a cue: a blank line is missing before it")
        found.append(start + at)
    return found
