"""Analysts' access to a dialogic database: read-only queries, view listings and exports.

The views themselves live in ``sql/views/`` (documented in docs/sql.md). This module opens the
database read-only, so that an analyst's query can never change the evidence, and hands the
result over as a polars DataFrame or a file written by DuckDB's own COPY.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from dialogic.db import connect
from dialogic.errors import LookupFailed, QueryError, StoreError

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


def run_query(db_path: str | Path, query: str) -> pl.DataFrame:
    """Run ``query`` on a read-only connection to ``db_path`` and return its result.

    A statement that writes (insert, create, drop, …) fails with QueryError, as does SQL that
    does not parse or names unknown tables or columns. A statement without a result set (e.g.
    ``set threads = 1``) returns an empty DataFrame.
    """
    con = connect(db_path, read_only=True, sandboxed=True)
    try:
        relation = _execute(con, query, db_path, as_relation=True)
        if relation is None:
            return pl.DataFrame()
        return pl.from_arrow(_run(lambda: relation.to_arrow_table(), db_path))
    finally:
        con.close()


def write_frame(frame: pl.DataFrame, fmt: QueryFormat, output: str | Path | None) -> str | None:
    """Write ``frame`` as csv/json/parquet to ``output``; with no output return the csv/json text.

    Parquet is binary, so it needs an output path. The 'table' format is rendered by the CLI.
    """
    if fmt not in ("csv", "json", "parquet"):
        raise QueryError(f"cannot write format {fmt!r}; expected one of: csv, json, parquet")
    if fmt == "parquet":
        if output is None:
            raise QueryError("--format parquet needs --output PATH")
        frame.write_parquet(Path(output))
        return None
    if fmt == "csv":
        # CSV has no lists or records: such columns (evidence ids, consent scopes) go out as JSON text
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        if nested:
            frame = frame.with_columns(pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested)
    text = frame.write_csv() if fmt == "csv" else frame.write_json()
    if output is None:
        return text
    Path(output).write_text(text)
    return None


def _json_text(value) -> str:
    return json.dumps(value.to_list() if isinstance(value, pl.Series) else value, default=str)


def list_views(db_path: str | Path) -> list[str]:
    """Names of the views (and tables) an analyst can export from ``db_path``."""
    con = connect(db_path, read_only=True, sandboxed=True)
    try:
        return _relation_names(con)
    finally:
        con.close()


def export_view(db_path: str | Path, view: str, fmt: ExportFormat, output: str | Path | None = None) -> ExportSummary:
    """Write every row of ``view`` to ``output`` (default ``<view>.<fmt>``). The rows are read on a
    sandboxed connection (which may write no file) and written here, by dialogic, with pyarrow.

    ``view`` may be any view or table of the database; an unknown name raises LookupFailed
    listing the views that exist.
    """
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"cannot export as {fmt!r}; expected one of: {', '.join(EXPORT_FORMATS)}")
    path = Path(output) if output is not None else Path(f"{view}.{fmt}")
    con = connect(db_path, read_only=True, sandboxed=True)
    try:
        names = _relation_names(con)
        if view not in names:
            raise LookupFailed(f"{db_path}: no view or table named {view!r}; views: {', '.join(names)}")
        table = _run(lambda: con.sql(f'select * from "{view}"').to_arrow_table(), db_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, path)
        else:
            pl.from_arrow(table).write_csv(path)
        row_count = table.num_rows
    finally:
        con.close()
    return ExportSummary(view=view, path=path, format=fmt, row_count=row_count)


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


def _execute(con: duckdb.DuckDBPyConnection, query: str, db_path: str | Path, as_relation: bool = False):
    # A relation (con.sql) hands its rows to Arrow without the extra copy a cursor makes.
    return _run(lambda: con.sql(query) if as_relation else con.execute(query), db_path)


def _run(step, db_path: str | Path):
    try:
        return step()
    except duckdb.Error as exc:
        message = str(exc).strip()
        if "read-only" in message or "read only" in message:
            raise QueryError(
                f"{db_path} is opened read-only; this statement would change it: {message.splitlines()[0]}"
            ) from exc
        if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in message:
            raise QueryError(
                f"{db_path}: refused: `dialogic sql` reads this database only — no files, no other databases, "
                f"no extensions, no settings ({message.splitlines()[0]})"
            ) from exc
        if isinstance(exc, duckdb.IOException):
            raise StoreError(f"{db_path}: {message.splitlines()[0]}") from exc
        raise QueryError(f"{db_path}: query failed: {message}") from exc
