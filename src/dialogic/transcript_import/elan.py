"""ELAN (.eaf) transcripts (pympi): each top-level tier is one speaker's speech, named by the
tier's PARTICIPANT attribute, else by its id. Dependent tiers (translations, glosses, notes on a
speaker's tier) are not speech and are left out."""

from __future__ import annotations

from pathlib import Path
from xml.parsers import expat

import pympi

from dialogic.records import ImportedTranscript, TranscriptSegment
from dialogic.transcript_import.text_file import malformed


def read_eaf(path: Path) -> ImportedTranscript:
    """Read an ELAN file; TranscriptError naming the line of a malformed element."""
    lines = _annotation_lines(path)
    try:
        eaf = pympi.Elan.Eaf(str(path), suppress_version_warning=True)
    except Exception as exc:  # pympi raises bare Exception, KeyError or ValueError on what it cannot read
        raise malformed(path, None, f"not a readable ELAN file: {exc.__class__.__name__}: {exc}") from exc
    segments: list[TranscriptSegment] = []
    for tier_id, (aligned, _, attributes, _) in eaf.tiers.items():
        if attributes.get("PARENT_REF"):
            continue
        speaker = " ".join((attributes.get("PARTICIPANT") or "").split()) or tier_id
        for annotation_id, (slot1, slot2, value, _) in aligned.items():
            text = " ".join((value or "").split())
            if not text:
                continue
            line = lines.get(annotation_id)
            start_ms, end_ms = eaf.timeslots.get(slot1), eaf.timeslots.get(slot2)
            if start_ms is None or end_ms is None:
                raise malformed(
                    path, line, f"annotation {annotation_id} on tier {tier_id!r} has a boundary without a time value"
                )
            if end_ms < start_ms:
                raise malformed(path, line, f"annotation {annotation_id} on tier {tier_id!r} ends before it starts")
            segments.append(TranscriptSegment(speaker, start_ms / 1000, end_ms / 1000, text, line or 0))
    segments.sort(key=lambda s: (s.start_s, s.end_s, s.line))
    return ImportedTranscript(path, "eaf", segments, timed=True)


def _annotation_lines(path: Path) -> dict[str, int]:
    """Check the XML and its time references line by line (pympi reports neither) and return
    each alignable annotation's line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise malformed(path, None, f"cannot read the transcript: {exc.strerror or exc}") from exc
    parser = expat.ParserCreate()
    slots: set[str] = set()
    annotations: dict[str, int] = {}
    references: list[tuple[str, str, int]] = []
    problems: list[tuple[int, str]] = []
    first = []

    def start(name: str, attributes: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        if not first:
            first.append(name)
            if name != "ANNOTATION_DOCUMENT":
                problems.append((line, f"not an ELAN file: the root element is <{name}>, not <ANNOTATION_DOCUMENT>"))
        if name == "TIME_SLOT":
            slot, value = attributes.get("TIME_SLOT_ID"), attributes.get("TIME_VALUE")
            if not slot:
                problems.append((line, "a TIME_SLOT without a TIME_SLOT_ID"))
            if value is not None and not value.strip().isdigit():
                problems.append((line, f"time slot {slot!r} has TIME_VALUE {value!r}: expected whole milliseconds"))
            slots.add(slot)
        elif name == "TIER" and not attributes.get("TIER_ID"):
            problems.append((line, "a TIER without a TIER_ID"))
        elif name == "ALIGNABLE_ANNOTATION":
            annotation = attributes.get("ANNOTATION_ID")
            if not annotation:
                problems.append((line, "an ALIGNABLE_ANNOTATION without an ANNOTATION_ID"))
            annotations[annotation] = line
            for key in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"):
                references.append((f"annotation {annotation} ({key})", attributes.get(key), line))

    parser.StartElementHandler = start
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise malformed(path, exc.lineno, f"not well-formed XML: {expat.ErrorString(exc.code)}") from exc
    if problems:
        raise malformed(path, *problems[0])
    for what, slot, line in references:
        if slot not in slots:
            raise malformed(path, line, f"{what} refers to time slot {slot!r}, which the TIME_ORDER does not define")
    return annotations
