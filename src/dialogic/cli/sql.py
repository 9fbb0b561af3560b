"""Commands for analysts: `dialogic sql` and `dialogic export-view` (see docs/sql.md)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from dialogic import queries
from dialogic.cli.common import DB_OPTION, MODE_OPTION, db_path, fail, file_mode
from dialogic.errors import DialogicError

_TABLE_ROW_LIMIT = 200  # the terminal table is for a look; csv/json/parquet carry every row


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
    fmt: str = typer.Option("table", "--format", help="table, csv, json or parquet (parquet needs --output)."),
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
    if fmt not in queries.QUERY_FORMATS:
        fail(f"unknown --format {fmt!r}; expected one of: {', '.join(queries.QUERY_FORMATS)}")
    permissions = file_mode(mode)
    try:
        limits = queries.SandboxLimits.resolve(time_limit, memory_limit)
        frame = queries.run_query(db, query, limits)
        if fmt == "table" and output is None:
            _print_table(frame)
            return
        text = queries.write_frame(frame, "csv" if fmt == "table" else fmt, output, mode=permissions)
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


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.4g}"
        text = f"{value:.3f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return str(value)


def _print_table(frame) -> None:
    """Rows as a table while the columns fit the terminal, else one block of `column  value`
    lines per row, so that no header is cut to a letter. Floats show 3 decimals; --format csv
    gives every digit."""
    console = Console()
    rows = list(frame.head(_TABLE_ROW_LIMIT).iter_rows())
    widths = [max([len(name)] + [len(_cell(row[i])) for row in rows]) for i, name in enumerate(frame.columns)]
    if sum(w + 3 for w in widths) + 1 <= console.width:
        table = Table(*frame.columns, show_lines=False)
        for row in rows:
            table.add_row(*(_cell(value) for value in row))
        console.print(table)
    else:
        label = max(len(name) for name in frame.columns)
        for n, row in enumerate(rows, start=1):
            console.rule(f"row {n}", align="left")
            for name, value in zip(frame.columns, row):
                console.print(f"{name:<{label}}  {_cell(value)}", markup=False, highlight=False, soft_wrap=True)
    if frame.height > _TABLE_ROW_LIMIT:
        console.print(f"… {frame.height - _TABLE_ROW_LIMIT} more rows (use --format csv or --output)")
