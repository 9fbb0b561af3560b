"""The analytics facts: the ``*_facts`` tables the views read, kept in step with the base tables.

Writers call ``refresh_meeting_facts`` after one meeting's rows change, ``refresh_current_tagger_facts``
after ``tagger_models`` changes and ``refresh_all_facts`` for the whole database. The facts are
what the ``compute_<table>`` table macros of ``sql/macros/`` return, so the SQL lives in one place;
`dialogic.db` rebuilds every fact table when a macro's definition changes.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from dialogic.corrections.word_errors import meeting_word_errors
from dialogic.errors import StoreError

# In dependency order: each fact table's macro reads the tables refreshed before it.
FACT_TABLES: tuple[str, ...] = (
    "utterance_facts",
    "utterance_tag_facts",
    "wordless_speech_facts",
    "speaking_turn_facts",
    "voice_facts",
    "meeting_facts",
    "tag_hit_facts",
    "meeting_tag_facts",
    "sdm_option5_facts",
    "window_facts",
    "overlap_facts",
)


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


def refresh_word_errors(con: duckdb.DuckDBPyConnection, meeting_id: str) -> None:
    """Recompute the meeting's row of ``transcript_word_error_facts``: machine words against the
    corrected ones, if a correction is in effect (else no row). Inside the caller's transaction."""
    con.execute("delete from transcript_word_error_facts where meeting_id = ?", [meeting_id])
    in_effect = con.execute(
        "select count(*) from transcript_revision_status where meeting_id = ? and in_effect", [meeting_id]
    ).fetchone()[0]
    if not in_effect:
        return
    reference = con.execute(
        "select word, start_s, end_s from words where meeting_id = ? order by word_index", [meeting_id]
    ).fetchall()
    hypothesis = con.execute(
        "select word, start_s, end_s from machine_words where meeting_id = ? order by word_index", [meeting_id]
    ).fetchall()
    errors = meeting_word_errors(reference, hypothesis)
    con.execute(
        "insert into transcript_word_error_facts values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            meeting_id,
            errors.reference_words,
            errors.hypothesis_words,
            errors.hits,
            errors.substitutions,
            errors.deletions,
            errors.insertions,
            dt.datetime.now(),
        ],
    )
