"""Analysts' access to a dialogic database: read-only queries, view listings and exports.

The views themselves live in ``sql/views/`` (documented in docs/sql.md). An analyst's SQL runs in
a sandbox that can neither change the evidence nor write any file, and cannot run away:

- the database is opened read-only on a `dialogic.db.SANDBOX` connection (no file access outside
  the database, no extensions, no settings, nowhere to spill);
- DuckDB's own parser splits the text first, and anything but one SELECT (COPY, EXPORT, ATTACH,
  PRAGMA, SET, CALL, CHECKPOINT, VACUUM, INSTALL/LOAD, a second statement, …) is refused unrun:
  with external access off DuckDB would still write the database's own ``.wal``;
- `SandboxLimits` stops a statement after a time limit (``con.interrupt()`` from a timer) and
  caps DuckDB's memory and the size of the result.

Results come back as a polars DataFrame; files (``--output``, ``export-view``) are written by
dialogic, owner-only (0600) unless asked otherwise.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
import pyarrow as pa

from dialogic.db import connect
from dialogic.errors import LookupFailed, QueryError, StoreError
from dialogic.files import PRIVATE_MODE, write_private
from dialogic.spreadsheet import safe_frame

QueryFormat = Literal["table", "csv", "json", "parquet"]
ExportFormat = Literal["parquet", "csv"]
QUERY_FORMATS: tuple[str, ...] = ("table", "csv", "json", "parquet")
EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv")


TIME_LIMIT_ENV = "DIALOGIC_SQL_TIME_LIMIT_S"
MEMORY_LIMIT_ENV = "DIALOGIC_SQL_MEMORY_LIMIT"
DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_MEMORY_LIMIT = "2GB"
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_RESULT_BATCH_ROWS = 65_536


@dataclass(frozen=True)
class SandboxLimits:
    """What one analyst's statement may take.

    time_s: wall-clock seconds before the statement is interrupted (default 60, or
        ``$DIALOGIC_SQL_TIME_LIMIT_S``).
    memory_bytes: DuckDB's memory limit for the statement, and the most the result may hold
        (default 2 GB, or ``$DIALOGIC_SQL_MEMORY_LIMIT``, e.g. ``500MB``). Nothing spills to disk,
        so a query that needs more stops with an error.
    """

    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_bytes: int = 2 * 10**9

    @classmethod
    def resolve(cls, time_s: float | None = None, memory: str | None = None) -> SandboxLimits:
        """The limits given, else those of the environment, else the defaults."""
        if time_s is None:
            text = os.environ.get(TIME_LIMIT_ENV, str(DEFAULT_TIME_LIMIT_S))
            try:
                time_s = float(text)
            except ValueError:
                raise QueryError(f"{TIME_LIMIT_ENV} must be a number of seconds, not {text!r}") from None
        if not 0 < time_s < float("inf"):
            raise QueryError(f"the time limit must be a positive number of seconds, not {time_s!r}")
        memory = memory if memory is not None else os.environ.get(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)
        return cls(time_s=time_s, memory_bytes=parse_size(memory))

    @property
    def memory_text(self) -> str:
        return f"{self.memory_bytes / 10**6:g}MB"


def parse_size(text: str) -> int:
    """Bytes in ``"2GB"``, ``"500 MB"``, ``"1GiB"`` or ``"1048576"``; at least 16 MB, which
    DuckDB needs to run anything."""
    match = _SIZE.match(str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS | {"": 1}:
        raise QueryError(f"a memory limit is a size such as 500MB or 2GB, not {text!r}")
    size = int(float(match.group(1)) * _UNITS.get(unit, 1))
    if size < 16 * 10**6:
        raise QueryError(f"a memory limit below 16MB leaves DuckDB nothing to work with ({text!r})")
    return size


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
    limits = limits or SandboxLimits.resolve()
    con = connect(db_path, read_only=True, sandboxed=True, memory_limit=limits.memory_text)
    try:
        select = one_select(con, query, db_path)
        return pl.from_arrow(_fetch_limited(con, select, db_path, limits))
    finally:
        con.close()


def one_select(con: duckdb.DuckDBPyConnection, query: str, db_path: str | Path) -> str:
    """``query`` if DuckDB's parser reads it as exactly one SELECT (with, values, from-first,
    describe, show and summarize are SELECTs to DuckDB); otherwise QueryError, before anything runs."""
    statements = _run(lambda: con.extract_statements(query), db_path)
    if not statements:
        raise QueryError(f"{db_path}: no SQL statement given")
    kinds = [statement.type.name for statement in statements]
    if len(statements) > 1:
        raise QueryError(
            f"{db_path}: refused: `dialogic sql` runs one SELECT statement, not {len(statements)} "
            f"({', '.join(kinds)}); nothing was run"
        )
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(
            f"{db_path}: refused: `dialogic sql` runs one SELECT statement only and writes no file; "
            f"this is a {kinds[0]} statement; nothing was run"
        )
    return query


def _fetch_limited(con: duckdb.DuckDBPyConnection, select: str, db_path: str | Path, limits: SandboxLimits) -> pa.Table:
    """The rows of ``select``, streamed in batches so that a result larger than the memory limit
    stops instead of filling the machine, and interrupted at the time limit."""
    with _time_limit(con, limits.time_s) as expired:
        try:
            reader = _run(lambda: con.sql(select).to_arrow_reader(_RESULT_BATCH_ROWS), db_path)
            batches, size = [], 0
            while True:
                try:
                    batch = _run(reader.read_next_batch, db_path)
                except StopIteration:
                    break
                size += batch.nbytes
                if size > limits.memory_bytes:
                    raise QueryError(
                        f"{db_path}: stopped: the result is larger than the memory limit of {limits.memory_text} "
                        f"(select fewer rows or columns, or raise --memory-limit / {MEMORY_LIMIT_ENV})"
                    )
                batches.append(batch)
            return pa.Table.from_batches(batches, schema=reader.schema)
        except QueryError as exc:
            if expired.is_set():
                raise QueryError(
                    f"{db_path}: stopped after {limits.time_s:g} s: the statement ran past the time limit "
                    f"(raise it with --time-limit or {TIME_LIMIT_ENV})"
                ) from exc
            raise


@contextmanager
def _time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[threading.Event]:
    """Interrupt ``con``'s running statement after ``seconds``; the event says whether it fired."""
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        con.interrupt()

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()


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
    text = frame.write_csv() if fmt == "csv" else frame.write_json()
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
        table = _fetch_limited(con, select, db_path, limits)
    finally:
        con.close()
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
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise QueryError(
                f"{db_path}: stopped: the statement needs more memory than the sandbox allows "
                "(nothing spills to disk; raise --memory-limit / "
                f"{MEMORY_LIMIT_ENV}, or select less): {message.splitlines()[0]}"
            ) from exc
        if isinstance(exc, duckdb.IOException):
            raise StoreError(f"{db_path}: {message.splitlines()[0]}") from exc
        raise QueryError(f"{db_path}: query failed: {message}") from exc
