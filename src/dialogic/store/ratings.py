"""Raters' answers about an utterance's tags: the rows ``ratings`` appends (`dialogic.review.ratings`
reads them and draws the queues)."""

from __future__ import annotations

import duckdb

from dialogic.errors import LookupFailed
from dialogic.review.ratings import MAX_NOTE_CHARS, QUEUES
from dialogic.tagging.codebook import TAGS


def record_answers(
    con: duckdb.DuckDBPyConnection,
    rater_id: str,
    utterance_id: str,
    answers: dict[str, bool],
    note: str | None,
    queue: str = "training",
) -> int:
    """Append the rater's answers for one utterance; returns how many rows were added.

    ``queue``: where the answers were given — ``training``, ``validation`` or ``adjudication``
    (see `dialogic.validation.queue`). Only answers that differ from the rater's current ones in
    that queue (value or note) add a row, so submitting the same page twice does not inflate the
    history. Text goes in through bound parameters only, so anything typed into the note is
    stored as typed.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; expected one of {list(QUEUES)}")
    unknown = set(answers) - set(TAGS)
    if unknown:
        raise ValueError(f"unknown tags {sorted(unknown)}; expected some of {list(TAGS)}")
    note = (note or "").strip()[:MAX_NOTE_CHARS] or None
    row = con.execute(
        "select meeting_id, text from utterances where utterance_id = ? "
        "and meeting_id in (select meeting_id from reviewable_meetings())",
        [utterance_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no utterance {utterance_id!r} in a meeting whose consent covers review")
    meeting_id, text = row
    current = {
        tag: (value, old_note)
        for tag, value, old_note in con.execute(
            """
            select tag, arg_max(value, rating_id), arg_max(note, rating_id) from ratings
            where rater_id = ? and utterance_id = ? and queue = ? and utterance_text = ?
            group by tag
            """,
            [rater_id, utterance_id, queue, text],
        ).fetchall()
    }
    new_rows = [
        [rater_id, utterance_id, meeting_id, tag, value, note, text, queue]
        for tag, value in answers.items()
        if current.get(tag) != (value, note)
    ]
    if new_rows:
        con.executemany(
            """
            insert into ratings (rater_id, utterance_id, meeting_id, tag, value, note, utterance_text, queue)
            values (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            new_rows,
        )
    return len(new_rows)
