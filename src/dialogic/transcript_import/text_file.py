"""What every transcript reader shares: the file's text, errors that name a line, times, and the
``Name: text`` convention for speakers."""

from __future__ import annotations

import re
from pathlib import Path

from dialogic.errors import TranscriptError


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark) or UTF-16 with one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read the transcript: {exc.strerror or exc}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the transcript as UTF-8"
        ) from exc


def malformed(path: Path, line: int | None, problem: str) -> TranscriptError:
    """The error for a malformed transcript: ``<file>: line <n>: <problem>``."""
    return TranscriptError(f"{path}: line {line}: {problem}" if line else f"{path}: {problem}")


_CLOCK = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?([0-5]?\d(?:[.,]\d+)?)$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


def parse_time_s(text: str) -> float:
    """Seconds from ``12.5`` (seconds) or ``[hh:]mm:ss[.mmm]`` (``,`` also as the decimal mark);
    ValueError for anything else, negative times included."""
    text = text.strip()
    if _SECONDS.match(text):
        return float(text)
    match = _CLOCK.match(text)
    if not match or ":" not in text:
        raise ValueError(text)
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds.replace(",", "."))


# A speaker's name before a colon: starts with a letter, at most 40 characters and five words, so
# that a time (10:30) or a sentence with a colon in it is not taken for a name.
_NAMED = re.compile(
    r"^\s*(?:[-–]\s*)?(?P<name>[^\W\d_][\w.'’()-]*(?:[ \t]+[\w.'’()-]+){0,4}?)\s*:(?:\s+|$)(?P<text>.*)$"
)


def split_name(line: str) -> tuple[str | None, str]:
    """``"Alex: I think so"`` → ``("Alex", "I think so")``; a line without a name → ``(None, line)``."""
    match = _NAMED.match(line)
    if not match or len(match.group("name")) > 40:
        return None, line.strip()
    return " ".join(match.group("name").split()), match.group("text").strip()


def speaker_turns(lines: list[str], previous: str | None) -> list[tuple[str | None, str]]:
    """A subtitle's lines as (speaker, text) runs: a line naming a speaker starts a run, a line
    without a name continues the current one (``previous`` for the first)."""
    runs: list[tuple[str | None, str]] = []
    for line in lines:
        name, text = split_name(line)
        if name is not None and (not runs or runs[-1][0] != name):
            runs.append((name, text))
        elif runs:
            runs[-1] = (runs[-1][0], f"{runs[-1][1]} {text}".strip())
        else:
            runs.append((previous, text))
    return [(speaker, " ".join(text.split())) for speaker, text in runs]


def blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (line number of the first line, lines)."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            found.append((start, current))
            current = []
    if current:
        found.append((start, current))
    return found


def shared_cue_note(count: int) -> str:
    """The note for subtitles that hold more than one speaker."""
    return (
        f"{count} cue(s) hold more than one speaker; each speaker is given the cue's whole span, so their times overlap"
    )
