"""Analysts' access to a dialogic database: read-only queries, view listings and exports.

The views themselves live in ``sql/views/`` (documented in docs/sql.md). An analyst's SQL runs in
the sandbox of `dialogic.sandbox`: one SELECT, in a child process, that can neither change the
evidence nor write any file, and is stopped at a time and a memory limit. Results come back as a
polars DataFrame; files (``--output``, ``export-view``) are written by dialogic, owner-only
(0600) unless asked otherwise, and CSV cells a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from dialogic.db import connect
from dialogic.errors import LookupFailed, QueryError
from dialogic.files import PRIVATE_MODE, write_private
from dialogic.sandbox import (  # noqa: F401  (the CLI reads the limits' names and defaults here)
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT_S,
    MEMORY_LIMIT_ENV,
    TIME_LIMIT_ENV,
    SandboxLimits,
    run_select,
)
from dialogic.spreadsheet import safe_frame

QueryFormat = Literal["table", "csv", "json", "parquet"]
ExportFormat = Literal["parquet", "csv"]
QUERY_FORMATS: tuple[str, ...] = ("table", "csv", "json", "parquet")
EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv")


@dataclass
class ExportSummary:
    """What export_view wrote."""

    view: str
    path: Path
    format: str
    row_count: int
    rows_left_out: int = 0  # rows of meetings whose consent does not cover 'analyse'


def run_query(db_path: str | Path, query: str, limits: SandboxLimits | None = None) -> pl.DataFrame:
    """Run ``query``, one SELECT, in the analyst sandbox on ``db_path`` and return its result.

    Anything but a single SELECT (insert, copy, attach, pragma, set, …) is refused unrun with
    QueryError, as is SQL that does not parse or names unknown tables or columns, and a statement
    that passes ``limits`` (default `SandboxLimits.resolve()`).
    """
    return pl.from_arrow(run_select(db_path, query, limits or SandboxLimits.resolve()))


def write_frame(
    frame: pl.DataFrame, fmt: QueryFormat, output: str | Path | None, *, mode: int = PRIVATE_MODE
) -> str | None:
    """Write ``frame`` as csv/json/parquet to ``output`` (file mode ``mode``, 0600 unless asked);
    with no output return the csv/json text.

    Parquet is binary, so it needs an output path. The 'table' format is rendered by the CLI.
    CSV cells that a spreadsheet would run as a formula are neutralised (see `dialogic.spreadsheet`).
    """
    if fmt not in ("csv", "json", "parquet"):
        raise QueryError(f"cannot write format {fmt!r}; expected one of: csv, json, parquet")
    if fmt == "parquet":
        if output is None:
            raise QueryError("--format parquet needs --output PATH")
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        _write_output(Path(output), buffer.getvalue(), mode)
        return None
    if fmt == "csv":
        # CSV has no lists or records: such columns (evidence ids, consent scopes) go out as JSON text
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        if nested:
            frame = frame.with_columns(pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested)
        frame = safe_frame(frame)
    try:
        text = frame.write_csv() if fmt == "csv" else frame.write_json()
    except pl.exceptions.PolarsError as exc:  # e.g. a blob column, which CSV cannot hold
        raise QueryError(f"cannot write the result as {fmt}: {str(exc).strip().splitlines()[0]}") from exc
    if output is None:
        return text
    _write_output(Path(output), text, mode)
    return None


def _write_output(path: Path, data: bytes | str, mode: int) -> None:
    try:
        write_private(path, data, mode=mode)
    except OSError as exc:
        raise QueryError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _json_text(value) -> str:
    return json.dumps(value.to_list() if isinstance(value, pl.Series) else value, default=str)


def list_views(db_path: str | Path) -> list[str]:
    """Names of the views (and tables) an analyst can export from ``db_path``."""
    con = connect(db_path, read_only=True, sandboxed=True, memory_limit=SandboxLimits.resolve().memory_text)
    try:
        return _relation_names(con)
    finally:
        con.close()


def export_view(
    db_path: str | Path,
    view: str,
    fmt: ExportFormat,
    output: str | Path | None = None,
    *,
    limits: SandboxLimits | None = None,
    mode: int = PRIVATE_MODE,
) -> ExportSummary:
    """Write every row of ``view`` to ``output`` (default ``<view>.<fmt>``, file mode ``mode``,
    0600 unless asked). The rows are read on a sandboxed connection (which may write no file),
    within ``limits``, and written here, by dialogic.

    ``view`` may be any view or table of the database; an unknown name raises LookupFailed
    listing the views that exist. Like `dialogic export`, only meetings whose consent is given
    and covers ``analyse`` leave the database: a relation with a ``meeting_id`` column loses the
    rows of every other meeting (counted in ``rows_left_out``).
    """
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"cannot export as {fmt!r}; expected one of: {', '.join(EXPORT_FORMATS)}")
    limits = limits or SandboxLimits.resolve()
    path = Path(output) if output is not None else Path(f"{view}.{fmt}")
    con = connect(db_path, read_only=True, sandboxed=True, memory_limit=limits.memory_text)
    try:
        names = _relation_names(con)
        if view not in names:
            raise LookupFailed(f"{db_path}: no view or table named {view!r}; views: {', '.join(names)}")
        select = f'select * from "{view}"'
        left_out = 0
        if "meeting_id" in _columns(con, view):
            consented = "meeting_id in (select meeting_id from analysable_meetings())"
            left_out = con.execute(f'select count(*) from "{view}" where not coalesce({consented}, false)').fetchone()[
                0
            ]
            select += f" where {consented}"
    finally:
        con.close()
    table = run_select(db_path, select, limits)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        data: bytes | str = buffer.getvalue()
    else:
        frame = pl.from_arrow(table)
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        if nested:
            frame = frame.with_columns(pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested)
        data = safe_frame(frame).write_csv()
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_output(path, data, mode)
    return ExportSummary(view=view, path=path, format=fmt, row_count=table.num_rows, rows_left_out=left_out)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?", [relation]
    ).fetchall()
    return [name for (name,) in rows]


def _relation_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """
        select view_name from duckdb_views() where not internal and schema_name = 'main'
        union
        select table_name from duckdb_tables() where schema_name = 'main'
        order by 1
        """
    ).fetchall()
    return [name for (name,) in rows]
