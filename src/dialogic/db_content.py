"""A database's stored content less what only says when or as which run it was written: for checking
that two ways of processing the same meetings (one machine or many, one worker or two) end in the
same database."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Besides every TIMESTAMP column (when a row was written): ids and timings of the run itself.
RUN_COLUMNS = {
    "pipeline_runs": {"run_id", "timings_s"},
    "speaker_mapping_changes": {"run_id"},
}
# Bookkeeping of the file itself, not of meetings.
SKIPPED_TABLES = {"schema_migrations", "macro_state"}


def stored_content(db_path: str | Path) -> dict[str, list[tuple]]:
    """Every base table's rows, sorted, without TIMESTAMP columns and `RUN_COLUMNS`."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
            ).fetchall()
            if r[0] not in SKIPPED_TABLES
        ]
        content = {}
        for table in tables:
            columns = [
                name
                for name, data_type in con.execute(
                    "select column_name, data_type from information_schema.columns where table_name = ? "
                    "order by ordinal_position",
                    [table],
                ).fetchall()
                if not data_type.startswith("TIMESTAMP") and name not in RUN_COLUMNS.get(table, set())
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            content[table] = con.execute(f'select {listed} from "{table}" order by all').fetchall()
        return content
    finally:
        con.close()


def content_differences(a: str | Path, b: str | Path, *, limit: int = 5) -> list[str]:
    """What differs between two databases' `stored_content`, one line per table (empty: the same)."""
    left, right = stored_content(a), stored_content(b)
    differences = []
    for table in sorted(set(left) | set(right)):
        rows_a, rows_b = left.get(table), right.get(table)
        if rows_a == rows_b:
            continue
        if rows_a is None or rows_b is None:
            differences.append(f"{table}: only in {'the second' if rows_a is None else 'the first'} database")
            continue
        only_a = [r for r in rows_a if r not in rows_b][:limit]
        only_b = [r for r in rows_b if r not in rows_a][:limit]
        differences.append(
            f"{table}: {len(rows_a)} rows vs {len(rows_b)}; first only in the first: {only_a}; "
            f"only in the second: {only_b}"
        )
    return differences
