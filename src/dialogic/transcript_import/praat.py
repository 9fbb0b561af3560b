"""Praat TextGrid transcripts (praatio): each interval tier is one speaker's speech, named by the
tier's name; point tiers are not speech and are left out. Both of Praat's text layouts (long and
short) are read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from praatio import textgrid

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import malformed, read_text


@dataclass(frozen=True)
class _Token:
    kind: str  # string | number | flag | other
    value: str
    line: int


def read_textgrid(path: Path) -> ImportedTranscript:
    """Read a TextGrid; TranscriptError naming the line of a malformed value."""
    intervals = _checked_intervals(path)
    try:
        grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False, reportingMode="error")
    except Exception as exc:  # praatio raises its own errors, ValueError and IndexError on what it cannot read
        raise malformed(path, None, f"not a readable TextGrid: {exc.__class__.__name__}: {exc}") from exc
    segments: list[TranscriptSegment] = []
    for tier in grid.tiers:
        if not isinstance(tier, textgrid.IntervalTier):
            continue
        read = [entry for entry in tier.entries if entry.label.strip()]
        checked = intervals.get(tier.name, [])
        if len(read) != len(checked):
            raise malformed(
                path, None, f"tier {tier.name!r}: praatio read {len(read)} intervals, {len(checked)} are there"
            )
        speaker = " ".join(tier.name.split())
        for entry, line in zip(read, checked):
            segments.append(
                TranscriptSegment(speaker, float(entry.start), float(entry.end), " ".join(entry.label.split()), line)
            )
    segments.sort(key=lambda s: (s.start_s, s.end_s, s.line))
    return ImportedTranscript(path, "textgrid", segments, timed=True)


# A line's leading labels in the long layout ("xmin = ", "intervals [3]:", "tiers? "): skipped, so
# that the long and the short layout give one stream of values.
_LABELS = re.compile(r"(?:[A-Za-z][A-Za-z ]*(?:\[\d*\])?[ \t]*[:=][ \t]*|[A-Za-z]+\?[ \t]*)+")
_VALUE = re.compile(
    r'(?P<string>"(?:[^"]|"")*")|(?P<flag><exists>|<absent>)'
    r"|(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])|(?P<other>\S+)"
)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line, line_start = 0, 1, True
    while position < len(text):
        char = text[position]
        if char == "\n":
            position, line, line_start = position + 1, line + 1, True
            continue
        if char.isspace():
            position += 1
            continue
        if line_start:
            line_start = False
            labels = _LABELS.match(text, position)
            if labels:
                position = labels.end()
                continue
        match = _VALUE.match(text, position)
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), line))
        line += match.group(kind).count("\n")  # a text may run over several lines
        position = match.end()
    return tokens


def _checked_intervals(path: Path) -> dict[str, list[int]]:
    """Walk the file's values as Praat writes them (praatio reads a truncated file without a word)
    and return, per interval tier, the line of each interval with text."""
    tokens = iter(_tokens(read_text(path)))
    last = [1]

    def take(kind: str, what: str) -> str:
        token = next(tokens, None)
        if token is None:
            raise malformed(path, last[0], f"the file ends where {what} should be: it is truncated")
        last[0] = token.line
        if token.kind == "other":
            raise malformed(path, token.line, f"unexpected {token.value!r} where {what} should be")
        if token.kind != kind:
            raise malformed(path, token.line, f"expected {what}, found {token.value}")
        return token.value[1:-1].replace('""', '"') if kind == "string" else token.value

    if take("string", "the file type") != "ooTextFile" or take("string", "the object class") != "TextGrid":
        raise malformed(path, 1, 'not a Praat TextGrid: expected File type = "ooTextFile", Object class = "TextGrid"')
    take("number", "the grid's start time")
    take("number", "the grid's end time")
    tiers = int(float(take("number", "the number of tiers"))) if take("flag", "<exists>") == "<exists>" else 0
    found: dict[str, list[int]] = {}
    for _ in range(tiers):
        kind = take("string", "a tier class")
        if kind not in ("IntervalTier", "TextTier"):
            raise malformed(path, last[0], f"unknown tier class {kind!r}: expected IntervalTier or TextTier")
        name = take("string", "a tier name")
        if kind == "IntervalTier" and name in found:
            raise malformed(path, last[0], f"a second interval tier named {name!r}")
        take("number", "the tier's start time")
        take("number", "the tier's end time")
        lines = []
        for _ in range(int(float(take("number", "the tier's size")))):
            if kind == "TextTier":
                take("number", "a point's time")
                take("string", "a point's mark")
                continue
            start_s = float(take("number", "an interval's start time"))
            line = last[0]
            end_s = float(take("number", "an interval's end time"))
            if end_s < start_s:
                raise malformed(path, line, f"tier {name!r}: the interval ends ({end_s}) before it starts ({start_s})")
            if take("string", "an interval's text").strip():
                lines.append(line)
        if kind == "IntervalTier":
            found[name] = lines
    extra = next(tokens, None)
    if extra is not None:
        raise malformed(path, extra.line, f"unexpected {extra.value!r} after the last tier")
    return found
