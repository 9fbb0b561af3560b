"""CSV and TSV: one row per utterance, for spreadsheets, R or pandas, and QDA tools that import
tables with a timestamp column (NVivo maps ``start`` to Timespan, ``text`` to Content and
``speaker_name`` to Speaker). A cell a spreadsheet would run as a formula gets a leading ``'``
(see `dialogic.spreadsheet`)."""

from __future__ import annotations

import csv
import io

from dialogic.export.text import one_line
from dialogic.export.timecode import clock_ms
from dialogic.export.transcript import MeetingTranscript
from dialogic.spreadsheet import safe_cell
from dialogic.tagging.codebook import TAGS

BASE_COLUMNS = (
    "meeting_id",
    "utterance_id",
    "start_s",
    "end_s",
    "start",
    "end",
    "speaker",
    "participant_id",
    "pseudonym",
    "role",
    "speaker_name",
    "text",
)


def columns() -> tuple[str, ...]:
    """The header: ``BASE_COLUMNS``, then per tag ``<tag>_p`` (probability), ``<tag>_label``
    (``yes``: counts, ``candidate``: awaits the speaker's role, ``no``) and ``<tag>_raters`` (the
    raters' majority, ``yes``/``no``), then ``tagger_model_version``. Tag cells are empty for an
    untagged utterance, rater cells where no majority exists."""
    return (
        *BASE_COLUMNS,
        *(f"{tag}_{field}" for tag in TAGS for field in ("p", "label", "raters")),
        "tagger_model_version",
    )


def _times(start_s: float | None, end_s: float | None) -> tuple[str, str, str, str]:
    if start_s is None or end_s is None:
        return ("", "", "", "")
    return (f"{start_s:.3f}", f"{end_s:.3f}", clock_ms(start_s), clock_ms(end_s))


def render_table(transcript: MeetingTranscript, delimiter: str = ",") -> str:
    """The utterances in order as CSV (``delimiter=','``) or TSV (``'\\t'``), with a header row.
    Times in seconds to the millisecond (``start_s``) and as ``hh:mm:ss.mmm`` (``start``); the
    speaker as label, participant, pseudonym, role and the shown name; the text on one line. The
    four time cells are empty for an utterance without times (an untimed imported transcript)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns())
    for u in transcript.utterances:
        v = u.voice
        row = [
            transcript.meeting_id,
            u.utterance_id,
            *_times(u.start_s, u.end_s),
            v.speaker_label or "",
            v.participant_id or "",
            v.pseudonym or "",
            v.role or "",
            v.name,
            one_line(u.text),
        ]
        for name in TAGS:
            tag = u.tag(name)
            if tag is None:
                row += ["", "", ""]
                continue
            raters = "" if tag.rater_label is None else ("yes" if tag.rater_label else "no")
            row += [f"{tag.probability:.4f}", tag.status, raters]
        row.append(transcript.tagger_model_version or "")
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()
