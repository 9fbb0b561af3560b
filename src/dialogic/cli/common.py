"""What the command modules share: the ``--db`` option and how a command fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from dialogic.files import parse_mode
from dialogic.paths import default_db_path

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $DIALOGIC_DB or ./dialogic.duckdb).")
MODE_OPTION = typer.Option(
    "600", "--mode", help="File mode (octal) of the file written; the default 600 lets only its owner read it."
)
TABLE_FORMATS = ("auto", "table", "tsv")
FORMAT_OPTION = typer.Option(
    "auto",
    "--format",
    help="How tables print: table (for a person), tsv (tab-separated with a header row, for a pipe, "
    "a log or a spreadsheet), or auto: table on a terminal, tsv otherwise.",
)

_stderr = Console(stderr=True)


def db_path(db: Path | None, *, create: bool = False) -> Path:
    """The ``--db`` value, or the default database (``$DIALOGIC_DB``, else ``./dialogic.duckdb``).

    A command that reads a database fails when the file does not exist, rather than creating an
    empty one and answering from it (a typo in ``--db`` would otherwise look like an empty study
    and leave a stray file); only the commands that set a database up (``process``,
    ``raters add``) pass ``create=True``."""
    path = db or default_db_path()
    if not create and not path.exists():
        where = "--db" if db else ("$DIALOGIC_DB" if "DIALOGIC_DB" in os.environ else "the default ./dialogic.duckdb")
        fail(f"no database at {path} (from {where}); `dialogic process` creates one, or give --db")
    return path


def emit_table(title: str, columns: list[str], rows: list[list[str]], fmt: str = "auto") -> None:
    """Print a table on standard output: a rich table for a person at a terminal (a column too
    wide is cut short with an ellipsis, never wrapped mid-word or stacked), or tab-separated
    lines with a header row (``tsv``: nothing wrapped, nothing coloured) when the output is a
    pipe or a file, or when asked; ``title`` is then left out, so every line is data."""
    import sys

    from rich.table import Table
    from rich.text import Text

    if fmt not in TABLE_FORMATS:
        fail(f"unknown --format {fmt!r}, expected one of: {', '.join(TABLE_FORMATS)}")
    if fmt == "tsv" or (fmt == "auto" and not sys.stdout.isatty()):
        for line in [columns, *rows]:
            typer.echo("\t".join(" ".join(str(cell).split()) for cell in line))
        return
    table = Table(title=title)
    for k, column in enumerate(columns):
        # each column keeps room for a short value or its header; a longer one is cut, never wrapped
        widest = max([len(column), *(len(str(row[k])) for row in rows)])
        table.add_column(column, no_wrap=True, overflow="ellipsis", min_width=min(widest, 12))
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    Console().print(table)


def file_mode(text: str) -> int:
    """The ``--mode`` value as a mode number, or a one-line error."""
    try:
        return parse_mode(text)
    except ValueError as exc:
        fail(f"--mode: {exc}")


def fail(error: Exception | str) -> NoReturn:
    """Print ``error: <message>`` on standard error and exit with status 1. Messages hold paths
    and lists ("[...]"), so they are printed verbatim and unwrapped; the database key never is."""
    _stderr.print(f"error: {redact_key(str(error))}", style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def redact_key(text: str) -> str:
    """``text`` with the database key of the environment (``DIALOGIC_DB_KEY``, or the text of
    ``DIALOGIC_DB_KEY_FILE``) replaced by ``[key]``, wherever a library may have echoed it."""
    keys = [os.environ.get("DIALOGIC_DB_KEY")]
    key_file = os.environ.get("DIALOGIC_DB_KEY_FILE")
    if key_file:
        try:
            keys.append(Path(key_file).expanduser().read_bytes().decode("utf-8", "replace").strip())
        except OSError:
            pass
    for key in keys:
        if key and len(key.strip()) >= 4:
            text = text.replace(key, "[key]")
    return text
