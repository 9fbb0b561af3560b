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

_stderr = Console(stderr=True)


def db_path(db: Path | None) -> Path:
    """The ``--db`` value, or the default database."""
    return db or default_db_path()


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
