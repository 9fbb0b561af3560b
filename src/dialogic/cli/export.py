"""`dialogic export`: one meeting as JSON, RTTM, subtitles, ELAN, Praat, a table or a QDA transcript."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, MODE_OPTION, db_path, fail, file_mode
from dialogic.errors import DialogicError
from dialogic.files import write_private

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
    force: bool = typer.Option(False, "--force", help="Overwrite --output if it exists."),
    mode: str = MODE_OPTION,
) -> None:
    """Export one meeting's speaker-attributed transcript or diarisation.

    Mapped speakers appear by pseudonym and role in every format; a meeting is exported only when
    its consent is given and covers 'analyse'. eaf (ELAN) and textgrid (Praat) hold a tier per
    person and per tag; csv/tsv a row per utterance; txt and docx '[hh:mm:ss] Name (role): text'
    paragraphs that MAXQDA, NVivo and ATLAS.ti import with their timestamps. The file is written
    readable by its owner only (--mode 600) and an existing one is kept unless --force; csv/tsv
    cells that a spreadsheet would run as formulas get a leading ' (docs/security.md).

    Example: dialogic export m001 --format eaf --output m001.eaf
    """
    from dialogic.db import connect
    from dialogic.export import BINARY_FORMATS, ExportOptions, export_meeting

    if format in BINARY_FORMATS and output is None:
        fail(f"--format {format} writes a binary file: give --output, e.g. --output {meeting}.{format}")
    permissions = file_mode(mode)
    if output is not None and output.exists() and not force:
        fail(f"{output}: already exists; add --force to overwrite it")
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
        write_private(output, data, mode=permissions)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    console.print(f"wrote {output}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(export)
