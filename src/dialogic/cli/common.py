"""What the command modules share: the ``--db`` option and how a command fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from dialogic.paths import default_db_path

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $DIALOGIC_DB or ./dialogic.duckdb).")

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


def fail(error: Exception | str) -> NoReturn:
    """Print ``error: <message>`` on standard error and exit with status 1. Messages hold paths
    and lists ("[...]"), so they are printed verbatim and unwrapped."""
    _stderr.print(f"error: {error}", style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)
