"""CSV and TSV transcripts (csv): a header row names the columns ``speaker`` and ``text`` and, for
a timed transcript, ``start`` and ``end`` (seconds such as ``12.5``, or ``hh:mm:ss.mmm``). Other
columns are ignored. Without start and end the rows are untimed, like plain text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import malformed, parse_time_s, read_text

_ALIASES = {"start_s": "start", "end_s": "end", "speaker_name": "speaker", "utterance": "text"}


def read_delimited(path: Path, fmt: str) -> ImportedTranscript:
    """Read a CSV (``fmt='csv'``) or TSV (``'tsv'``) transcript; TranscriptError naming the line
    of a row with a missing or bad value."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), delimiter="," if fmt == "csv" else "\t")
    try:
        header = next(reader, None)
        if header is None:
            raise malformed(path, 1, "the file is empty")
        names = [_ALIASES.get(n.strip().lower(), n.strip().lower()) for n in header]
        columns = {name: i for i, name in reversed(list(enumerate(names)))}
        missing = [c for c in ("speaker", "text") if c not in columns]
        if missing or ("start" in columns) != ("end" in columns):
            raise malformed(
                path,
                1,
                f"the header row names {', '.join(repr(h) for h in header)}; it needs 'speaker' and 'text', "
                "and 'start' with 'end' for times",
            )
        timed = "start" in columns
        segments: list[TranscriptSegment] = []
        line, row_number = reader.line_num + 1, 0
        for row in reader:
            if any(cell.strip() for cell in row):
                row_number += 1  # data rows, blank ones not counted
                segment = _segment(path, row, columns, timed, line, row_number)
                if segment is not None:
                    segments.append(segment)
            line = reader.line_num + 1  # the next row starts after this one, which may span lines
    except csv.Error as exc:
        raise malformed(path, reader.line_num, f"not valid {fmt.upper()}: {exc}") from exc
    return ImportedTranscript(path, fmt, segments, timed=timed)


def _segment(
    path: Path, row: list[str], columns: dict[str, int], timed: bool, line: int, number: int
) -> TranscriptSegment | None:
    def cell(name: str) -> str:
        index = columns[name]
        value = row[index].strip() if index < len(row) else ""
        if not value and name != "text":
            raise malformed(path, line, f"row {number} has no {name}")
        return value

    speaker, text = " ".join(cell("speaker").split()), " ".join(cell("text").split())
    start_s = end_s = None
    if timed:
        times = []
        for name in ("start", "end"):
            value = cell(name)
            try:
                times.append(parse_time_s(value))
            except ValueError as exc:
                raise malformed(
                    path, line, f"row {number}: bad {name} time {value!r}: expected seconds (12.5) or hh:mm:ss.mmm"
                ) from exc
        start_s, end_s = times
        if end_s < start_s:
            raise malformed(path, line, f"row {number} ends ({end_s} s) before it starts ({start_s} s)")
    if not text:
        return None  # a row with nothing said
    return TranscriptSegment(speaker, start_s, end_s, text, line)
