"""Export one stored meeting for the tools researchers use.

=========  ======================  ==================================================================
format     module                  what it holds
=========  ======================  ==================================================================
json       ``json_contract``       the stable contract: utterances, words, people, tags, corrections
rttm       ``rttm``                the overlap-aware diarisation, by speaker label or participant id
vtt, srt   ``subtitles``           one cue per utterance, voiced by name and role
eaf        ``elan``                ELAN: a tier per person, a tier per tag, the recording linked
textgrid   ``praat``               Praat: the same tiers as interval tiers
csv, tsv   ``table``               one row per utterance with times, people and tag columns
txt, docx  ``qda``                 ``[hh:mm:ss] Name (role): text`` paragraphs for MAXQDA, NVivo, ATLAS.ti
=========  ======================  ==================================================================

Every format reads the meeting through ``transcript.load_transcript``, so every format shows
mapped speakers by pseudonym and role, leaves out withdrawn participants, and refuses a meeting
whose consent does not cover analysis (``ConsentError``). A meeting imported from a transcript
without times exports as json, csv, tsv, txt and docx (times left empty); the formats that place
utterances on a time line (``TIMED_FORMATS``) refuse it with a message saying which formats work.
A meeting without a recording links no media in ELAN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dialogic.errors import LookupFailed
from dialogic.export.elan import render_eaf
from dialogic.export.json_contract import render_json
from dialogic.export.praat import render_textgrid
from dialogic.export.qda import render_docx, render_txt
from dialogic.export.rttm import SPEAKER_IDS, render_rttm
from dialogic.export.subtitles import render_subtitles
from dialogic.export.table import render_table
from dialogic.export.transcript import load_transcript

# The third-party format libraries (pympi, praatio, python-docx) are imported by the renderers
# that use them, when they run.

FORMATS = ("json", "rttm", "vtt", "srt", "eaf", "textgrid", "csv", "tsv", "txt", "docx")
TIMED_FORMATS = ("vtt", "srt", "eaf", "textgrid")  # place each utterance on a time line: need its times
BINARY_FORMATS = ("docx",)  # written to a file, never to a terminal

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "TIMED_FORMATS",
    "SPEAKER_IDS",
    "ExportOptions",
    "export_meeting",
    "load_transcript",
]


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """How a meeting is exported.

    speaker_ids: RTTM only: ``label`` names speakers by diarisation label (``SPEAKER_00``),
        ``participant`` by the participant id they are mapped to (unmapped ones keep the label).
    output_path: where the export will be written, if known: the ELAN file then links the
        recording by a path relative to itself as well as by its absolute ``file:`` URI.
    """

    speaker_ids: str = "label"
    output_path: Path | None = None


def export_meeting(
    con: duckdb.DuckDBPyConnection, meeting_id: str, fmt: str, options: ExportOptions = ExportOptions()
) -> str | bytes:
    """Render a stored meeting in ``fmt`` (one of FORMATS): text, or bytes for BINARY_FORMATS.
    Raises LookupFailed for an unknown meeting or format, ConsentError when the meeting's consent
    does not cover analysis."""
    if fmt not in FORMATS:
        raise LookupFailed(f"unknown export format {fmt!r}, expected one of: {', '.join(FORMATS)}")
    if options.speaker_ids not in SPEAKER_IDS:
        raise LookupFailed(f"unknown speaker ids {options.speaker_ids!r}, expected one of: {', '.join(SPEAKER_IDS)}")
    if fmt == "rttm":
        return render_rttm(con, meeting_id, options.speaker_ids)
    transcript = load_transcript(con, meeting_id)
    if fmt in TIMED_FORMATS and any(u.start_s is None for u in transcript.utterances):
        raise LookupFailed(
            f"meeting {meeting_id!r} has no times (an imported transcript without them): a {fmt} file places each "
            "utterance on a time line; export csv, tsv, txt, docx or json, which hold it without times"
        )
    renderers = {
        "json": render_json,
        "vtt": lambda t: render_subtitles(t, "vtt"),
        "srt": lambda t: render_subtitles(t, "srt"),
        "eaf": lambda t: render_eaf(t, options.output_path),
        "textgrid": render_textgrid,
        "csv": lambda t: render_table(t, ","),
        "tsv": lambda t: render_table(t, "\t"),
        "txt": render_txt,
        "docx": render_docx,
    }
    return renderers[fmt](transcript)
