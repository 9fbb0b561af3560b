"""`dialogic export`: one meeting's transcript or diarisation as JSON, RTTM, WebVTT or SRT."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from dialogic.cli.common import DB_OPTION, db_path, fail
from dialogic.errors import DialogicError

console = Console(stderr=True)
out = Console()


def export(
    meeting: str = typer.Argument(..., help="Meeting id."),
    format: str = typer.Option("json", "--format", "-f", help="json | rttm | vtt | srt"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    db: Path = DB_OPTION,
) -> None:
    """Export one meeting's speaker-attributed transcript or diarisation.

    Example: dialogic export m001 --format rttm --output m001.rttm
    """
    from dialogic.db import connect
    from dialogic.export import export_meeting

    try:
        con = connect(db_path(db), read_only=True)
        text = export_meeting(con, meeting, format)
    except DialogicError as exc:
        fail(exc)
    if output:
        output.write_text(text)
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    app.command()(export)
