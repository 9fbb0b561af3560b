"""Plain-text transcripts: ``Name: text`` lines, no times. A line without a name continues the
utterance before it; blank lines are ignored."""

from __future__ import annotations

from pathlib import Path

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import malformed, read_text, split_name


def read_plain(path: Path) -> ImportedTranscript:
    """Read a ``Name: text`` transcript; TranscriptError naming the first line that has text but
    no speaker before it."""
    segments: list[TranscriptSegment] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        name, text = split_name(line)
        if name is not None:
            segments.append(TranscriptSegment(name, None, None, text, number))
        elif segments:
            last = segments[-1]
            segments[-1] = TranscriptSegment(last.speaker, None, None, f"{last.text} {text}".strip(), last.line)
        else:
            raise malformed(
                path, number, f"text before any speaker: start the line with 'Name: ' (found {text[:40]!r})"
            )
    kept = [s for s in segments if s.text]
    return ImportedTranscript(path, "txt", kept, timed=False)
