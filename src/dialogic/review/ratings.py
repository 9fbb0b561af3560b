"""The review app's reads and writes: the rating queue, one item's context, and new answers.

Every function takes a DuckDB connection (or cursor) so it works the same from the web app,
the CLI and tests. Answers are only ever inserted: a changed answer is a new row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dialogic.db import connect, release, transaction
from dialogic.errors import LookupFailed
from dialogic.people import display_name
from dialogic.tagging.codebook import TAGS

MAX_NOTE_CHARS = 4000
QUEUES = ("training", "validation", "adjudication")


@dataclass(frozen=True)
class QueueFilter:
    """What a rater asked to see; every field is optional."""

    meeting_id: str | None = None
    tag: str | None = None
    unrated_only: bool = False
    in_meeting_order: bool = False  # meeting by meeting, utterance by utterance, not least certain first

    def query_params(self) -> dict[str, str]:
        params = {}
        if self.meeting_id:
            params["meeting"] = self.meeting_id
        if self.tag:
            params["tag"] = self.tag
        if self.unrated_only:
            params["unrated"] = "1"
        if self.in_meeting_order:
            params["order"] = "meeting"
        return params


@dataclass(frozen=True)
class QueueItem:
    utterance_id: str
    meeting_id: str
    utterance_index: int
    speaker_label: str | None
    text: str
    threshold_distance: float | None  # |probability − threshold| of the closest tag; None if untagged
    answered_by_me: int  # how many of the four tags this rater has a current answer for
    participant_id: str | None = None
    role: str | None = None
    pseudonym: str | None = None
    relation: str | None = None
    profession: str | None = None

    @property
    def display(self) -> str:
        """The speaker's name as every output shows it (``people.display_name``)."""
        return display_name(
            participant_id=self.participant_id,
            pseudonym=self.pseudonym,
            role=self.role,
            relation=self.relation,
            profession=self.profession,
            speaker_label=self.speaker_label,
        )


@dataclass(frozen=True)
class ModelTag:
    tag: str
    probability: float
    threshold: float
    label: bool


@dataclass(frozen=True)
class ItemUtterance:
    utterance_id: str
    meeting_id: str
    utterance_index: int
    speaker_label: str | None
    speaker_role: str | None
    speaker_pseudonym: str | None
    start_s: float | None  # None: an imported transcript without times
    end_s: float | None
    text: str
    participant_id: str | None = None
    relation: str | None = None
    profession: str | None = None
    has_audio: bool = True  # False: imported from a transcript without a recording

    @property
    def display(self) -> str:
        """The speaker's name as every output shows it (``people.display_name``)."""
        return display_name(
            participant_id=self.participant_id,
            pseudonym=self.speaker_pseudonym,
            role=self.speaker_role,
            relation=self.relation,
            profession=self.profession,
            speaker_label=self.speaker_label,
        )

    @property
    def playable(self) -> bool:
        """Whether a clip of it can be played: the meeting has a recording and it has times."""
        return self.has_audio and self.start_s is not None


@dataclass
class ItemContext:
    utterance: ItemUtterance
    previous: ItemUtterance | None
    following: ItemUtterance | None
    model_tags: dict[str, ModelTag]
    my_answers: dict[str, bool]
    my_note: str | None


class ReviewStore:
    """The app's access to the database: opened while a request needs it, released when idle.

    DuckDB lets one process write a file, and a process that has it open for writing keeps every
    other process out, readers included. So the app holds the file only while requests are using
    it: the first request opens it, the last one to finish closes it, and between requests an
    analyst's `dialogic sql`, `speakers map` or R session can open it. A request that finds the
    file held by another process waits for it up to ``wait_s``.

    One connection object must not be used from two threads at once, so each operation takes its
    own cursor, and writers queue on a lock so that concurrent submissions are appended one after
    another and none is lost.
    """

    def __init__(self, db_path: str | Path, *, wait_s: float = 10.0) -> None:
        self.db_path = Path(db_path)
        self.wait_s = wait_s
        # Migrations, macros and views once, at start; the requests' opens skip them.
        connect(self.db_path).close()
        release(self.db_path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._cursor_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def _open(self) -> duckdb.DuckDBPyConnection:
        return connect(self.db_path, migrate=False, wait_s=self.wait_s)

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cursor_lock:
            if self._con is None:
                self._con = self._open()
            self._users += 1
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()
            with self._cursor_lock:
                self._users -= 1
                if self._users == 0 and self._con is not None:
                    self._con.close()
                    release(self.db_path)
                    self._con = None

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor under the write lock, inside one transaction."""
        with self.locked() as cur, transaction(cur):
            yield cur

    @contextmanager
    def locked(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor under the write lock, for writers that open their own transaction."""
        with self._write_lock, self.reading() as cur:
            yield cur

    def close(self) -> None:
        with self._cursor_lock:
            if self._con is not None:
                self._con.close()
                release(self.db_path)
                self._con = None


_QUEUE_BASE = """
with
model as (
    select * from rating_model_tags
),
mine as (
    select utterance_id, tag from rating_current where rater_id = $rater and not is_stale
),
items as (
    select
        u.utterance_id,
        u.meeting_id,
        u.utterance_index,
        u.speaker_label,
        u.text,
        min(model.threshold_distance) filter (where $tag is null or model.tag = $tag) as threshold_distance,
        (select count(*) from mine where mine.utterance_id = u.utterance_id) as answered_by_me,
        (select count(*) from mine where mine.utterance_id = u.utterance_id and ($tag is null or mine.tag = $tag))
            = (case when $tag is null then $n_tags else 1 end) as done_by_me,
        s.participant_id, s.role, p.pseudonym, p.relation, p.profession
    from utterances as u
    left join model on model.utterance_id = u.utterance_id
    left join compute_speaker_roles(null) as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
    left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
    where ($meeting is null or u.meeting_id = $meeting) and u.meeting_id in (select meeting_id from reviewable_meetings())
    group by all
),
filtered as (
    -- least certain first, untagged last; in meeting order every item has the same distance
    select *, case when $meeting_order then 0.0 else coalesce(threshold_distance, 2.0) end as sort_distance
    from items
    where not $unrated
       or not exists (
           select 1 from mine
           where mine.utterance_id = items.utterance_id and ($tag is null or mine.tag = $tag)
       )
)
"""

_QUEUE_KEY_SQL = (
    _QUEUE_BASE
    + """
select sort_distance, meeting_id, utterance_index from filtered where utterance_id = $current
"""
)

_QUEUE_PROGRESS_SQL = (
    _QUEUE_BASE
    + """
select count(*) filter (where done_by_me), count(*) from filtered
"""
)

_QUEUE_LIST_SQL = (
    _QUEUE_BASE
    + """
select utterance_id, meeting_id, utterance_index, speaker_label, text, threshold_distance, answered_by_me,
       participant_id, role, pseudonym, relation, profession
from filtered
where $after_distance is null
   or (sort_distance, meeting_id, utterance_index) > ($after_distance, $after_meeting, $after_index)
order by sort_distance, meeting_id, utterance_index
limit $limit
"""
)


def list_queue(
    con: duckdb.DuckDBPyConnection,
    rater_id: str,
    queue_filter: QueueFilter,
    *,
    limit: int = 200,
    after_utterance_id: str | None = None,
) -> list[QueueItem]:
    """Utterances in rating order: the model's least certain first (or, with the filter's
    ``in_meeting_order``, meeting by meeting in the order they were said).

    An utterance's uncertainty is the smallest |probability − threshold| over its tags (or over
    the filtered tag only); untagged utterances come last. With ``after_utterance_id`` the list
    starts after that utterance's place in the same order, which is how "next" is found.
    """
    base = _queue_params(rater_id, queue_filter)
    after = (None, None, None)
    if after_utterance_id is not None:
        # The current item may have just left an "unrated" queue, so its place is looked up
        # in the queue without that filter.
        key = con.execute(_QUEUE_KEY_SQL, base | {"unrated": False, "current": after_utterance_id}).fetchone()
        if key is not None:
            after = key
    rows = con.execute(
        _QUEUE_LIST_SQL,
        base
        | {
            "unrated": queue_filter.unrated_only,
            "after_distance": after[0],
            "after_meeting": after[1],
            "after_index": after[2],
            "limit": limit,
        },
    ).fetchall()
    return [QueueItem(*row) for row in rows]


def _queue_params(rater_id: str, queue_filter: QueueFilter) -> dict:
    return {
        "rater": rater_id,
        "tag": queue_filter.tag,
        "meeting": queue_filter.meeting_id,
        "meeting_order": queue_filter.in_meeting_order,
        "n_tags": len(TAGS),
    }


def queue_progress(con: duckdb.DuckDBPyConnection, rater_id: str, queue_filter: QueueFilter) -> tuple[int, int]:
    """(done, total) of the rater's queue under the filter's meeting and tag, rated or not: an
    utterance is done when the rater has a current answer for every tag (for the filtered tag,
    when one is chosen)."""
    done, total = con.execute(
        _QUEUE_PROGRESS_SQL, _queue_params(rater_id, queue_filter) | {"unrated": False}
    ).fetchone()
    return done, total


def next_utterance_id(
    con: duckdb.DuckDBPyConnection, rater_id: str, queue_filter: QueueFilter, current_utterance_id: str | None
) -> str | None:
    """The item after ``current_utterance_id`` in the queue, wrapping round to the start."""
    if current_utterance_id is not None:
        after = list_queue(con, rater_id, queue_filter, limit=1, after_utterance_id=current_utterance_id)
        if after:
            return after[0].utterance_id
    first = list_queue(con, rater_id, queue_filter, limit=2)
    for item in first:
        if item.utterance_id != current_utterance_id:
            return item.utterance_id
    return None


def list_meetings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(meeting_id, number of utterances) for every meeting with utterances."""
    return con.execute(
        "select meeting_id, count(*) from utterances where meeting_id in (select meeting_id from reviewable_meetings()) group by meeting_id order by meeting_id"
    ).fetchall()


_UTTERANCE_SQL = """
select u.utterance_id, u.meeting_id, u.utterance_index, u.speaker_label, s.role, p.pseudonym,
       u.start_s, u.end_s, u.text, s.participant_id, p.relation, p.profession, m.audio_path is not null
from utterances as u
inner join meetings as m on m.meeting_id = u.meeting_id
left join compute_speaker_roles(null) as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
"""


def load_item(con: duckdb.DuckDBPyConnection, rater_id: str, utterance_id: str) -> ItemContext:
    """An utterance with its neighbours, the model's tags and this rater's own current answers.

    Other raters' answers are never read here: a rater must not see them.
    """
    row = con.execute(
        _UTTERANCE_SQL + " where u.utterance_id = ? and u.meeting_id in (select meeting_id from reviewable_meetings())",
        [utterance_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no utterance {utterance_id!r} in a meeting whose consent covers review")
    utterance = ItemUtterance(*row)
    neighbours = con.execute(
        _UTTERANCE_SQL + " where u.meeting_id = ? and u.utterance_index in (?, ?)",
        [utterance.meeting_id, utterance.utterance_index - 1, utterance.utterance_index + 1],
    ).fetchall()
    by_index = {r[2]: ItemUtterance(*r) for r in neighbours}
    model_tags = {
        tag: ModelTag(tag, probability, threshold, label)
        for tag, probability, threshold, label in con.execute(
            "select tag, probability, threshold, label from rating_model_tags where utterance_id = ?",
            [utterance_id],
        ).fetchall()
    }
    mine = con.execute(
        """
        select tag, value, note from rating_current
        where rater_id = ? and utterance_id = ? and not is_stale
        order by rating_id desc
        """,
        [rater_id, utterance_id],
    ).fetchall()
    return ItemContext(
        utterance=utterance,
        previous=by_index.get(utterance.utterance_index - 1),
        following=by_index.get(utterance.utterance_index + 1),
        model_tags=model_tags,
        my_answers={tag: value for tag, value, _ in mine},
        my_note=mine[0][2] if mine else None,
    )


def list_participants(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list[dict]:
    rows = con.execute(
        """
        select participant_id, role, pseudonym, relation, profession
        from participants where meeting_id = ? order by participant_id
        """,
        [meeting_id],
    ).fetchall()
    keys = ("participant_id", "role", "pseudonym", "relation", "profession")
    return [dict(zip(keys, row)) for row in rows]


def list_speaker_meetings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    """(meeting_id, speakers, speakers still unmapped) for meetings with diarised speakers."""
    return con.execute(
        """
        select meeting_id, count(*), count(*) filter (where participant_id is null)
        from speakers where meeting_id in (select meeting_id from reviewable_meetings()) group by meeting_id order by meeting_id
        """
    ).fetchall()
