"""`dialogic export`: one meeting as JSON, RTTM, subtitles, ELAN, Praat, a table or a QDA transcript."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

console = Console(stderr=True)


def export(
    meeting: str = typer.Argument(..., help="Meeting id."),
    format: str = typer.Option(
        "json", "--format", "-f", help="json | rttm | vtt | srt | eaf | textgrid | csv | tsv | txt | docx"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout (docx: required)."),
    speaker_ids: str = typer.Option(
        "label", "--speaker-ids", help="rttm: name speakers by diarisation 'label' or mapped 'participant' id."
    ),
    db: Path = DB_OPTION,
) -> None:
    """Export one meeting's speaker-attributed transcript or diarisation.

    Mapped speakers appear by pseudonym and role in every format; a meeting is exported only when
    its consent is given and covers 'analyse'. eaf (ELAN) and textgrid (Praat) hold a tier per
    person and per tag; csv/tsv a row per utterance; txt and docx '[hh:mm:ss] Name (role): text'
    paragraphs that MAXQDA, NVivo and ATLAS.ti import with their timestamps.

    Example: dialogic export m001 --format eaf --output m001.eaf
    """
    from dialogic.db import connect
    from dialogic.export import BINARY_FORMATS, ExportOptions, export_meeting

    if format in BINARY_FORMATS and output is None:
        fail(f"--format {format} writes a binary file: give --output, e.g. --output {meeting}.{format}")
    try:
        con = connect(db_path(db), read_only=True)
        try:
            data = export_meeting(con, meeting, format, ExportOptions(speaker_ids=speaker_ids, output_path=output))
        finally:
            con.close()
    except DialogicError as exc:
        fail(exc)
    if output is None:
        sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            output.write_bytes(data)
        else:
            output.write_text(data, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(f"wrote {output}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(export)
