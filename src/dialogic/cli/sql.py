"""Commands for analysts: `dialogic sql` and `dialogic export-view` (see docs/sql.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dialogic import queries
from dialogic.cli.common import DB_OPTION, MODE_OPTION, db_path, fail, file_mode
from dialogic.errors import DialogicError
from dialogic.spreadsheet import safe_cell

_TABLE_ROW_LIMIT = 200  # the terminal table is for a look; tsv/csv/json/parquet carry every row
_FORMATS = ("auto", "table", "tsv", *queries.QUERY_FORMATS)
# A column of long values is cut to this width (with an ellipsis) so that more columns fit; a
# header is never cut, so every column shown can be named in a follow-up query.
_CELL_WIDTH = 24


TIME_LIMIT_OPTION = typer.Option(
    None,
    "--time-limit",
    help=f"Seconds before the statement is stopped (default ${queries.TIME_LIMIT_ENV} or {queries.DEFAULT_TIME_LIMIT_S:g}).",
)
MEMORY_LIMIT_OPTION = typer.Option(
    None,
    "--memory-limit",
    help=f"Most memory the statement and its result may use, e.g. 500MB (default ${queries.MEMORY_LIMIT_ENV} or "
    f"{queries.DEFAULT_MEMORY_LIMIT}).",
)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql_command)
    app.command("export-view")(export_view_command)


def sql_command(
    query: str = typer.Argument(..., help="One SELECT statement; the database is opened read-only."),
    db: Path = DB_OPTION,
    fmt: str = typer.Option(
        "auto",
        "--format",
        help="auto (table on a terminal, tsv otherwise), table, tsv, csv, json or parquet (parquet needs --output).",
    ),
    output: Path = typer.Option(None, "--output", help="Write the result to this file instead of stdout."),
    time_limit: float = TIME_LIMIT_OPTION,
    memory_limit: str = MEMORY_LIMIT_OPTION,
    mode: str = MODE_OPTION,
) -> None:
    """Run one read-only SELECT on the dialogic database, in a sandbox that writes no file.

    Anything but a single SELECT (COPY, ATTACH, PRAGMA, SET, …) is refused; a statement that runs
    past --time-limit or needs more than --memory-limit is stopped. CSV cells that a spreadsheet
    would run as a formula get a leading ' (see docs/security.md).

    Example:

        dialogic sql "select * from balance limit 5" --format csv
    """
    db = db_path(db)
    if fmt not in _FORMATS:
        fail(f"unknown --format {fmt!r}; expected one of: {', '.join(_FORMATS)}")
    permissions = file_mode(mode)
    if fmt == "auto":
        fmt = "table" if output is None and sys.stdout.isatty() else "tsv" if output is None else "csv"
    try:
        limits = queries.SandboxLimits.resolve(time_limit, memory_limit)
        frame = queries.run_query(db, query, limits)
        if fmt == "table" and output is None:
            _print_table(frame)
            return
        if fmt == "tsv" and output is None:
            _print_tsv(frame)
            return
        text = queries.write_frame(frame, "csv" if fmt in ("table", "tsv") else fmt, output, mode=permissions)
    except DialogicError as exc:
        fail(str(exc))
    if text is not None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {frame.height} rows to {output}", err=True)


def export_view_command(
    view: str = typer.Argument(..., help="Name of a view (or table), e.g. voice_share_role."),
    fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
    output: Path = typer.Option(None, "--output", help="File to write (default: ./<view>.<format>)."),
    db: Path = DB_OPTION,
    time_limit: float = TIME_LIMIT_OPTION,
    memory_limit: str = MEMORY_LIMIT_OPTION,
    mode: str = MODE_OPTION,
) -> None:
    """Write every row of a view to a Parquet or CSV file (owner-only unless --mode says otherwise).

    As with `dialogic export`, only meetings whose consent is given and covers 'analyse' leave the
    database: rows of any other meeting are left out, and counted.

    Example:

        dialogic export-view voice_share_role --format csv --output vsr.csv
    """
    db = db_path(db)
    permissions = file_mode(mode)
    try:
        limits = queries.SandboxLimits.resolve(time_limit, memory_limit)
        summary = queries.export_view(db, view, fmt, output, limits=limits, mode=permissions)
    except DialogicError as exc:
        fail(str(exc))
    left_out = (
        f" ({summary.rows_left_out} rows of meetings whose consent does not cover 'analyse' left out)"
        if summary.rows_left_out
        else ""
    )
    typer.echo(f"wrote {summary.row_count} rows of {summary.view} to {summary.path}{left_out}")


def _unsigned_zero(value):
    # -0.0 is 0 to a reader; printed with its sign it looks like a small negative figure
    return 0.0 if isinstance(value, float) and value == 0 else value


def _cell(value) -> str:
    value = _unsigned_zero(value)
    if value is None:
        return ""
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.4g}"
        text = f"{value:.3f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return str(value)


def _flat(text: str) -> str:
    return " ".join(text.split())  # a tab or line break inside a value would break the row


def _print_tsv(frame) -> None:
    """Every row, tab-separated under a header row: nothing wrapped, cut or rounded (a pipe or a
    log reads every digit); lists as JSON; cells a spreadsheet would run as a formula get a '."""
    typer.echo("\t".join(_flat(name) for name in frame.columns))
    for row in frame.iter_rows():
        cells = [
            "" if v is None else json.dumps(v, default=str) if isinstance(v, (list, dict)) else str(_unsigned_zero(v))
            for v in row
        ]
        typer.echo("\t".join(safe_cell(_flat(cell)) for cell in cells))


def _print_table(frame) -> None:
    """Rows as a table that fits the terminal (``$COLUMNS`` where set): a long value is cut with an
    ellipsis, and the columns that do not fit are left off and named in a note below, never
    stacked one value a line. Floats show 3 decimals; --format tsv or csv gives every digit."""
    console = Console()
    rows = [[_flat(_cell(value)) for value in row] for row in frame.head(_TABLE_ROW_LIMIT).iter_rows()]
    widths = [
        max(len(name), min(_CELL_WIDTH, max((len(row[i]) for row in rows), default=0)))
        for i, name in enumerate(frame.columns)
    ]
    shown, used = 0, 1
    for width in widths:
        if shown and used + width + 3 > console.width:
            break
        used += width + 3
        shown += 1
    table = Table(show_lines=False)
    for name, width in zip(frame.columns[:shown], widths[:shown]):
        # the first column alone may be wider than the terminal: rich then cuts it too
        table.add_column(Text(name), no_wrap=True, overflow="ellipsis", max_width=width)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row[:shown]))
    console.print(table)
    left_off = frame.columns[shown:]
    if left_off:
        console.print(
            f"{len(left_off)} more column(s) not shown: {', '.join(left_off)} "
            "(select fewer columns, widen the terminal or use --format tsv/csv)",
            markup=False,
            highlight=False,
        )
    if frame.height > _TABLE_ROW_LIMIT:
        console.print(f"… {frame.height - _TABLE_ROW_LIMIT} more rows (use --format tsv, csv or --output)")
