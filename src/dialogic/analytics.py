"""Analysts' access to a dialogic database, and the analytics facts the views read.

The views themselves live in ``sql/views/`` (documented in docs/sql.md). For analysts this module
only opens the database read-only, so that an analyst's query can never change the evidence, and
hands the result over as a polars DataFrame or a file written by DuckDB's own COPY.

For writers it keeps the analytics facts (the ``*_facts`` tables of migration 005, amended by
007, listed in FACT_TABLES) in step with the base tables: ``refresh_meeting_facts`` after one
meeting's rows change, ``refresh_current_tagger_facts`` after ``tagger_models`` changes,
``refresh_all_facts`` for the whole database. The facts are computed by the ``compute_*`` table
macros of those migrations, so the SQL lives in one place. A migration that changes what a macro
returns rebuilds the affected table itself, in SQL, in its own transaction (as 005 and 007 do).
"""

from __future__ import annotations

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


# In dependency order: each fact table's macro reads the tables refreshed before it.
FACT_TABLES: tuple[str, ...] = (
    "utterance_facts",
    "speaking_turn_facts",
    "voice_facts",
    "meeting_facts",
    "tag_hit_facts",
    "sdm_option5_facts",
    "window_facts",
    "overlap_facts",
)


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
    con = connect(db_path, read_only=True)
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
    text = frame.write_csv() if fmt == "csv" else frame.write_json()
    if output is None:
        return text
    Path(output).write_text(text)
    return None


def list_views(db_path: str | Path) -> list[str]:
    """Names of the views (and tables) an analyst can export from ``db_path``."""
    con = connect(db_path, read_only=True)
    try:
        return _relation_names(con)
    finally:
        con.close()


def export_view(db_path: str | Path, view: str, fmt: ExportFormat, output: str | Path | None = None) -> ExportSummary:
    """Write every row of ``view`` to ``output`` (default ``<view>.<fmt>``) with DuckDB's COPY.

    ``view`` may be any view or table of the database; an unknown name raises LookupFailed
    listing the views that exist.
    """
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"cannot export as {fmt!r}; expected one of: {', '.join(EXPORT_FORMATS)}")
    path = Path(output) if output is not None else Path(f"{view}.{fmt}")
    con = connect(db_path, read_only=True)
    try:
        names = _relation_names(con)
        if view not in names:
            raise LookupFailed(f"{db_path}: no view or table named {view!r}; views: {', '.join(names)}")
        options = "format parquet" if fmt == "parquet" else "format csv, header true"
        path.parent.mkdir(parents=True, exist_ok=True)
        # The path goes in as a string literal: COPY does not take a bound parameter there.
        literal = str(path).replace("'", "''")
        _execute(con, f"copy (select * from \"{view}\") to '{literal}' ({options})", db_path)
        row_count = _execute(con, f'select count(*) from "{view}"', db_path).fetchone()[0]
    finally:
        con.close()
    return ExportSummary(view=view, path=path, format=fmt, row_count=row_count)


def refresh_meeting_facts(con: duckdb.DuckDBPyConnection, meeting_id: str) -> None:
    """Recompute the analytics facts of one meeting from its base rows (delete, then insert).

    Call it inside the caller's transaction (``with dialogic.db.transaction(con): ...``), after
    the meeting's utterances, speakers, participants, diarised turns or tags were written, so that
    readers never see the new rows with old facts; it opens no transaction of its own. A meeting
    without utterances is left with no fact rows.
    """
    for table in FACT_TABLES:
        _write(con, f"delete from {table} where meeting_id = ?", [meeting_id])
        _write(con, f"insert into {table} by name select * from compute_{table}(?)", [meeting_id])


def refresh_all_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every analytics fact from the base tables, set-based (one statement per table).

    Use it after bulk loads or after changing ``tagger_models.activated_at`` of a version that
    already has tags (that can change the current version of many meetings). Like
    refresh_meeting_facts, it runs inside the caller's transaction and opens none itself.
    """
    for table in FACT_TABLES:
        _write(con, f"delete from {table}")
        _write(con, f"insert into {table} by name select * from compute_{table}(null)")


def refresh_current_tagger_facts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Refresh the meetings whose current tagger version is no longer the one in their facts.

    A meeting's current version is the most recently activated one among the versions with tag
    rows for it, so moving ``tagger_models.activated_at`` (re-registering a tagger) can switch
    meetings that were not re-tagged. Call it, in the same transaction, after changing
    ``tagger_models``; it costs one pass over the distinct (meeting, version) pairs of ``tags``
    plus a refresh per switched meeting. Returns the meeting ids it refreshed.
    """
    try:
        switched = [
            meeting_id
            for (meeting_id,) in con.execute(
                """
                select f.meeting_id
                from meeting_facts as f
                left join compute_current_tagger(null) as c on c.meeting_id = f.meeting_id
                where f.tagger_model_version is distinct from c.model_version
                order by f.meeting_id
                """
            ).fetchall()
        ]
    except duckdb.Error as exc:
        raise StoreError(f"finding meetings whose tagger version changed failed: {exc}") from exc
    for meeting_id in switched:
        refresh_meeting_facts(con, meeting_id)
    return switched


def _write(con: duckdb.DuckDBPyConnection, statement: str, parameters: list | None = None) -> None:
    try:
        con.execute(statement, parameters)
    except duckdb.Error as exc:
        raise StoreError(f"refreshing analytics facts failed: {exc}") from exc


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
        if isinstance(exc, duckdb.IOException):
            raise StoreError(f"{db_path}: {message.splitlines()[0]}") from exc
        raise QueryError(f"{db_path}: query failed: {message}") from exc
