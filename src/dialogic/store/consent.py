"""The deletions of a consent withdrawal, and its audit row's states.

`dialogic.consent` runs a withdrawal step by step (journal, audit row, deletion, rewrite of the
file); the rows it removes are chosen here. Withdrawing a participant ends like every other write
(`dialogic.store.derived.propagate`): the facts are refreshed, and a tagger that reads context
tags the rest of the meeting again, since what followed the removed speech now follows another
turn."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import duckdb

from dialogic.store.corrections import withdraw_corrections
from dialogic.store.derived import Change, propagate, tagger_inputs

REDACTED_NOTE = "[redacted: this note quoted speech withdrawn from the study]"


def tables_with(con: duckdb.DuckDBPyConnection, *columns: str) -> list[str]:
    """Base tables (not views) of the main schema that have every one of ``columns``."""
    return [
        r[0]
        for r in con.execute(
            """
        select table_name from duckdb_columns()
        where schema_name = 'main' and database_name = current_database()
          and table_name in (select table_name from duckdb_tables() where database_name = current_database())
          and table_name <> 'consent_withdrawals'
        group by table_name
        having count(distinct column_name) filter (where list_contains(?, column_name)) = ?
        order by table_name
        """,
            [list(columns), len(columns)],
        ).fetchall()
    ]


def delete_meeting_rows(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict[str, int]:
    """Remove every row of the meeting from every table with a ``meeting_id``; returns the rows
    removed per table. Inside the caller's transaction."""
    removed: dict[str, int] = {}
    for table in tables_with(con, "meeting_id"):
        n = con.execute(f'select count(*) from "{table}" where meeting_id = ?', [meeting_id]).fetchone()[0]
        if n:
            con.execute(f'delete from "{table}" where meeting_id = ?', [meeting_id])
            removed[table] = n
    return removed


# Tables whose rows are removed by speaker (their utterance ids are the machine's own, or they are
# the utterances themselves), not through the withdrawn utterances' ids.
_BY_SPEAKER_ONLY = ("machine_utterances", "machine_words", "utterances", "words")


def delete_participant_rows(con: duckdb.DuckDBPyConnection, meeting_id: str, participant_id: str) -> dict[str, int]:
    """Remove one participant's speech and every row naming it (see `dialogic.consent`); returns
    the rows removed per table. Inside the caller's transaction."""
    before = tagger_inputs(con, meeting_id)
    labels = [
        r[0]
        for r in con.execute(
            "select speaker_label from speakers where meeting_id = ? and participant_id = ?",
            [meeting_id, participant_id],
        ).fetchall()
    ]
    removed: dict[str, int] = {}

    def delete(table: str, where: str, params: list) -> None:
        n = con.execute(f'select count(*) from "{table}" where {where}', params).fetchone()[0]
        if n:
            con.execute(f'delete from "{table}" where {where}', params)
            removed[table] = removed.get(table, 0) + n

    if labels:
        spoken = [
            r[0]
            for r in con.execute(
                "select text from utterances where meeting_id = $m and list_contains($l, speaker_label) "
                "union all select text from machine_utterances where meeting_id = $m and list_contains($l, speaker_label)",
                {"m": meeting_id, "l": labels},
            ).fetchall()
        ]
        # machine copies and correction history hold their words too (read before words go)
        for table, n in withdraw_corrections(con, meeting_id, labels).items():
            removed[table] = removed.get(table, 0) + n
        withdrawn_ids = [
            r[0]
            for r in con.execute(
                "select utterance_id from utterances where meeting_id = ? and list_contains(?, speaker_label)",
                [meeting_id, labels],
            ).fetchall()
        ]
        # raters' copies of the text they judged (a rating or check made when the utterance id
        # was hers keeps her words even if re-processing gave the id to someone else)
        for table in tables_with(con, "meeting_id", "utterance_text"):
            spoken += [
                r[0]
                for r in con.execute(
                    f'select utterance_text from "{table}" where meeting_id = ? and list_contains(?, utterance_id)',
                    [meeting_id, withdrawn_ids],
                ).fetchall()
            ]
        # every table that names one of their utterances, so a table added later is not forgotten
        for table in tables_with(con, "utterance_id"):
            if table not in _BY_SPEAKER_ONLY:
                delete(table, "list_contains(?, utterance_id)", [withdrawn_ids])
        for table in tables_with(con, "meeting_id", "utterance_id", "utterance_text"):
            # ... unless the utterance it now points at says exactly that (someone else's words)
            delete(
                table,
                f"meeting_id = ? and list_contains(?, utterance_text) and not exists (select 1 from utterances as u "
                f'where u.utterance_id = "{table}".utterance_id and u.text = "{table}".utterance_text)',
                [meeting_id, spoken],
            )
        for table in tables_with(con, "meeting_id", "speaker_label"):
            delete(table, "meeting_id = ? and list_contains(?, speaker_label)", [meeting_id, labels])
        remaining = [
            r[0]
            for r in con.execute(
                "select text from utterances where meeting_id = ? and text is not null", [meeting_id]
            ).fetchall()
        ]
        for table, n in _redact_notes(con, meeting_id, spoken, remaining).items():
            removed[table] = removed.get(table, 0) + n
    # a rater's check that says an utterance was really theirs: the text is theirs
    delete("transcript_checks", "meeting_id = ? and right_participant_id = ?", [meeting_id, participant_id])
    delete("speaker_mapping_changes", "meeting_id = ? and participant_id = ?", [meeting_id, participant_id])
    delete("participants", "meeting_id = ? and participant_id = ?", [meeting_id, participant_id])
    con.execute(
        "update meetings set withdrawn_participants = list_distinct(list_append(coalesce(withdrawn_participants, []), ?)) "
        "where meeting_id = ?",
        [participant_id, meeting_id],
    )
    propagate(con, Change(meeting_id, "withdrawn", before))
    return removed


_WORD = re.compile(r"[\w']+", re.UNICODE)


_MIN_QUOTE_WORDS = 3


_MIN_DISTINCTIVE_CHARS = 4


def _words(text: str | None) -> list[str]:
    """Words for comparing a note with speech: NFKC, case-folded, typographic apostrophes and
    hyphens made plain, hyphenated compounds split ("well-being" = "well being")."""
    plain = unicodedata.normalize("NFKC", text or "").casefold().replace("’", "'").replace("‘", "'")
    return [w.strip("'") for w in _WORD.findall(plain.replace("-", " ").replace("‐", " ")) if w.strip("'")]


def quotes(note: str, spoken: list[str], others: list[str]) -> bool:
    """Whether a rater's free-text ``note`` quotes withdrawn speech ``spoken``: it holds three
    consecutive words of it (all of an utterance of fewer words), or a word of four or more
    letters that only the withdrawn person said in the meeting (``others``: everyone else's
    utterances). Errs towards redacting: a note on a common three-word phrase goes too."""
    note_words = _words(note)
    if not note_words:
        return False
    note_grams = {tuple(note_words[i : i + _MIN_QUOTE_WORDS]) for i in range(len(note_words))}
    said_by_others = {w for text in others for w in _words(text)}
    for text in spoken:
        words = _words(text)
        if 0 < len(words) < _MIN_QUOTE_WORDS:
            n = len(words)
            if any(note_words[i : i + n] == words for i in range(len(note_words) - n + 1)):
                return True
        elif any(tuple(words[i : i + _MIN_QUOTE_WORDS]) in note_grams for i in range(len(words) - 2)):
            return True
        distinctive = {w for w in words if len(w) >= _MIN_DISTINCTIVE_CHARS and w not in said_by_others}
        if distinctive & set(note_words):
            return True
    return False


def _redact_notes(
    con: duckdb.DuckDBPyConnection, meeting_id: str, spoken: list[str], others: list[str]
) -> dict[str, int]:
    """Redact every free-text note column (``note`` or ``*_note``) of the meeting's rows that quotes
    the withdrawn speech. Returns ``{"<table>.<column> (redacted)": n}``."""
    columns = con.execute(
        """
        select table_name, column_name from duckdb_columns()
        where schema_name = 'main' and database_name = current_database() and data_type = 'VARCHAR'
          and (column_name = 'note' or column_name like '%\\_note' escape '\\')
          and table_name in (select table_name from duckdb_tables() where database_name = current_database())
          and table_name in (select table_name from duckdb_columns() where column_name = 'meeting_id')
        order by all
        """
    ).fetchall()
    redacted: dict[str, int] = {}
    for table, column in columns:
        rows = con.execute(
            f'select rowid, "{column}" from "{table}" where meeting_id = ? and "{column}" is not null', [meeting_id]
        ).fetchall()
        hits = [rowid for rowid, note in rows if quotes(note, spoken, others)]
        if hits:
            con.execute(f'update "{table}" set "{column}" = ? where list_contains(?, rowid)', [REDACTED_NOTE, hits])
            redacted[f"{table}.{column} (redacted)"] = len(hits)
    return redacted


def record_withdrawal_request(con: duckdb.DuckDBPyConnection, request: dict) -> None:
    """The audit row of a journalled withdrawal, state ``pending`` (ids and reference, no content)."""
    con.execute(
        "insert into consent_withdrawals (withdrawal_id, state, withdrawn_at, meeting_id, participant_id, "
        "reference, withdrawn_by, rows_removed) values (?, 'pending', ?, ?, ?, ?, ?, '{}')",
        [
            request["withdrawal_id"],
            dt.datetime.fromisoformat(request["requested_at"]),
            request["meeting_id"],
            request["participant_id"],
            request["reference"],
            request["by"],
        ],
    )


def mark_withdrawal_deleted(con: duckdb.DuckDBPyConnection, withdrawal_id: str, removed: dict[str, int]) -> None:
    con.execute(
        "update consent_withdrawals set state = 'deleted', rows_removed = ? where withdrawal_id = ?",
        [json.dumps(removed, sort_keys=True), withdrawal_id],
    )


def mark_withdrawal_complete(con: duckdb.DuckDBPyConnection, withdrawal_id: str) -> None:
    con.execute(
        "update consent_withdrawals set state = 'complete', completed_at = ? where withdrawal_id = ?",
        [dt.datetime.now(), withdrawal_id],
    )
