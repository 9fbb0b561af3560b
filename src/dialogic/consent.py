"""Consent withdrawal that leaves nothing behind.

Withdrawing a meeting removes every row derived from it — words, utterances, turns, speakers and
their voices, tags, ratings and raters' notes, validation items, analytics facts, run records,
the meeting and its participants — from every table that has a ``meeting_id``. Withdrawing one
participant removes their speech: the utterances, words and turns of the speakers mapped to
them, those utterances' tags, ratings and validation items, the speakers (with their voices), and
the participant; the rest of the meeting stays and the views say it is incomplete. The machine's
copy of the transcript loses their words and every word heard at the same time, and every
transcript correction that ever touched an utterance of theirs goes (it holds the words).

Deleted rows stay readable in a database file's free blocks until they are overwritten, so the
file is then rewritten: every live object is copied into a fresh file (DuckDB's ``COPY FROM
DATABASE``), which replaces the old one. An audit row records when, what (row counts, no
content) and the consent reference.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from dialogic.corrections.revision_store import refresh_word_errors, withdraw_corrections
from dialogic.db import connect, transaction
from dialogic.encryption import copy_database, database_key
from dialogic.errors import LookupFailed, StoreError
from dialogic.facts import refresh_meeting_facts


def _tables_with(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            """
        select table_name from duckdb_columns()
        where column_name = ? and schema_name = 'main' and database_name = current_database()
          and table_name in (select table_name from duckdb_tables() where database_name = current_database())
          and table_name <> 'consent_withdrawals'
        order by table_name
        """,
            [column],
        ).fetchall()
    ]


def withdraw_meeting(db_path: str | Path, meeting_id: str, reference: str, *, by: str = "cli") -> dict[str, int]:
    """Remove everything derived from ``meeting_id``, rewrite the file, and record the withdrawal.
    Returns the rows removed per table."""
    if not reference or not reference.strip():
        raise LookupFailed("a consent reference is required (where the withdrawal is documented)")
    con = connect(db_path)
    try:
        if con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone() is None:
            raise LookupFailed(f"no meeting {meeting_id!r} in the database")
        removed: dict[str, int] = {}
        with transaction(con):
            for table in _tables_with(con, "meeting_id"):
                n = con.execute(f'select count(*) from "{table}" where meeting_id = ?', [meeting_id]).fetchone()[0]
                if n:
                    con.execute(f'delete from "{table}" where meeting_id = ?', [meeting_id])
                    removed[table] = n
            _audit(con, meeting_id, None, reference, by, removed)
    finally:
        con.close()
    rewrite_database(db_path)
    return removed


def withdraw_participant(
    db_path: str | Path, meeting_id: str, participant_id: str, reference: str, *, by: str = "cli"
) -> dict[str, int]:
    """Remove one participant's speech and everything derived from it; the meeting stays, marked
    incomplete. Returns the rows removed per table."""
    if not reference or not reference.strip():
        raise LookupFailed("a consent reference is required (where the withdrawal is documented)")
    con = connect(db_path)
    try:
        if (
            con.execute(
                "select 1 from participants where meeting_id = ? and participant_id = ?", [meeting_id, participant_id]
            ).fetchone()
            is None
        ):
            raise LookupFailed(f"meeting {meeting_id}: no participant {participant_id!r}")
        labels = [
            r[0]
            for r in con.execute(
                "select speaker_label from speakers where meeting_id = ? and participant_id = ?",
                [meeting_id, participant_id],
            ).fetchall()
        ]
        removed: dict[str, int] = {}

        def delete(table: str, where: str, params: list) -> None:
            n = con.execute(f"select count(*) from {table} where {where}", params).fetchone()[0]
            if n:
                con.execute(f"delete from {table} where {where}", params)
                removed[table] = removed.get(table, 0) + n

        with transaction(con):
            if labels:
                # machine copies and correction history hold their words too (read before words go)
                for table, n in withdraw_corrections(con, meeting_id, labels).items():
                    removed[table] = removed.get(table, 0) + n
                con.execute(
                    "create temp table withdrawn_utterances as select utterance_id from utterances "
                    "where meeting_id = ? and list_contains(?, speaker_label)",
                    [meeting_id, labels],
                )
                for table in ("tags", "ratings", "validation_items"):
                    delete(table, "utterance_id in (select utterance_id from withdrawn_utterances)", [])
                con.execute("drop table withdrawn_utterances")
                for table in ("words", "utterances", "turns", "speakers"):
                    delete(table, "meeting_id = ? and list_contains(?, speaker_label)", [meeting_id, labels])
            delete("speaker_mapping_changes", "meeting_id = ? and participant_id = ?", [meeting_id, participant_id])
            delete("participants", "meeting_id = ? and participant_id = ?", [meeting_id, participant_id])
            con.execute(
                "update meetings set withdrawn_participants = list_distinct(list_append(coalesce(withdrawn_participants, []), ?)) "
                "where meeting_id = ?",
                [participant_id, meeting_id],
            )
            refresh_word_errors(con, meeting_id)
            refresh_meeting_facts(con, meeting_id)
            _audit(con, meeting_id, participant_id, reference, by, removed)
    finally:
        con.close()
    rewrite_database(db_path)
    return removed


def _audit(con, meeting_id: str, participant_id: str | None, reference: str, by: str, removed: dict[str, int]) -> None:
    con.execute(
        "insert into consent_withdrawals (withdrawn_at, meeting_id, participant_id, reference, withdrawn_by, rows_removed) "
        "values (?, ?, ?, ?, ?, ?)",
        [dt.datetime.now(), meeting_id, participant_id, reference.strip(), by, json.dumps(removed, sort_keys=True)],
    )


def rewrite_database(db_path: str | Path) -> None:
    """Copy every live object of the database into a fresh file and put it in the old one's place,
    so that deleted rows no longer exist anywhere in the file. Needs the database to itself.
    An encrypted database stays encrypted with the same key."""
    path = Path(db_path)
    fresh = path.with_name(path.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    key = database_key()
    try:
        copy_database(path, fresh, source_key=key, target_key=key)
    except StoreError:
        fresh.unlink(missing_ok=True)
        raise
    os.replace(fresh, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)
