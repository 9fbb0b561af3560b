"""Timestamped transcripts for qualitative analysis tools (MAXQDA, NVivo, ATLAS.ti): plain text
and Word.

Each utterance is one paragraph, ``[hh:mm:ss] Name (role): text``, paragraphs a blank line apart
(plain text) or Word paragraphs. A timestamp in square brackets opening a paragraph is what
NVivo's import of paragraphs that start with timestamps reads, and what the converters used to
bring transcripts into MAXQDA and ATLAS.ti write; the speaker's name and a colon is what MAXQDA's
focus-group import codes as the speaker (docs/exports.md gives the sources, and what was not
tried). Timestamps are whole seconds, rounded down (``timecode.clock_s``): every tool reads that
form, and a click then plays from just before the utterance. Millisecond times are in the CSV,
ELAN and Praat exports.

The plain text holds nothing but the paragraphs, so that no tool takes a header for speech; the
Word document opens with a header (meeting, date, duration, tagger and its validation status,
consent note).
"""

from __future__ import annotations

import io

from dialogic.export.text import one_line, xml_safe
from dialogic.export.timecode import clock_s
from dialogic.export.transcript import ExportUtterance, MeetingTranscript


def _in_time_order(transcript: MeetingTranscript) -> list[ExportUtterance]:
    # the tools need timestamps in order; utterance order is time order, sorted again to be sure
    if not transcript.timed:  # an untimed transcript: its own order is all there is
        return sorted(transcript.utterances, key=lambda u: u.utterance_index)
    return sorted(transcript.utterances, key=lambda u: (u.start_s, u.utterance_index))


def timestamp(u: ExportUtterance) -> str:
    """``[hh:mm:ss] `` before the name, or nothing for an utterance without times."""
    return "" if u.start_s is None else f"[{clock_s(u.start_s)}] "


def paragraph(u: ExportUtterance) -> str:
    """``[hh:mm:ss] Name (role): text`` (``Name (role): text`` without times)."""
    return f"{timestamp(u)}{u.voice.display}: {one_line(u.text)}"


def render_txt(transcript: MeetingTranscript) -> str:
    """The utterances as timestamped paragraphs, a blank line apart."""
    return "".join(paragraph(u) + "\n\n" for u in _in_time_order(transcript))


def header_lines(transcript: MeetingTranscript) -> list[str]:
    """What the Word document says about the meeting before the transcript."""
    duration = transcript.duration_s
    if duration is not None:
        length = f"{clock_s(duration)} ({duration:.1f} s)"
    elif transcript.timed and transcript.utterances:  # no recording's length stored: the speech's
        length = f"{clock_s(transcript.end_s)} ({transcript.end_s:.1f} s, to the end of the last utterance)"
    else:
        length = "not known (a transcript without times)"
    lines = [
        f"Recorded on: {transcript.recorded_on.isoformat() if transcript.recorded_on else 'not recorded'}",
        f"Duration: {length}",
    ]
    if transcript.tagger_model_version:
        lines.append(f"Tagger: {transcript.tagger_model_version}; {transcript.validation_status}")
        lines.append(
            "Codes: after an utterance, in braces, the tags that count for it ({option discussion}); "
            "model output, with the error stated above"
        )
    else:
        lines.append("Tagger: not tagged")
    if transcript.consent_note:
        lines.append(f"Consent: {transcript.consent_note}")
    return lines


def render_docx(transcript: MeetingTranscript) -> bytes:
    """A Word document: the meeting id as title, ``header_lines``, then one paragraph per
    utterance, the speaker's name in bold (python-docx)."""
    import docx

    document = docx.Document()
    document.core_properties.title = f"Meeting {transcript.meeting_id}"
    document.core_properties.author = "dialogic"
    document.add_heading(f"Meeting {transcript.meeting_id}", level=1)
    for line in header_lines(transcript):
        document.add_paragraph(xml_safe(line))
    for u in _in_time_order(transcript):
        p = document.add_paragraph()
        p.add_run(timestamp(u))
        p.add_run(xml_safe(u.voice.display)).bold = True
        p.add_run(f": {xml_safe(one_line(u.text))}")
        codes = [t.tag.replace("_", " ") for t in u.tags if t.counts]
        if codes:
            p.add_run(f"  {{{', '.join(codes)}}}").italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
