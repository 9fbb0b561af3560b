"""Map diarised speaker labels to the meeting's participants (and so to roles)."""

from __future__ import annotations

import datetime as dt

import duckdb

from dialogic.facts import refresh_meeting_facts
from dialogic.db import transaction
from dialogic.errors import LookupFailed


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["SPEAKER_00=p1", "SPEAKER_01=p3"]`` → ``{"SPEAKER_00": "p1", ...}``; ``=`` alone unmaps."""
    mapping = {}
    for pair in pairs:
        label, sep, participant = pair.partition("=")
        if not sep or not label:
            raise LookupFailed(f"expected SPEAKER=PARTICIPANT, got {pair!r}")
        mapping[label.strip()] = participant.strip()
    return mapping


def map_speakers(con: duckdb.DuckDBPyConnection, meeting_id: str, mapping: dict[str, str], mapped_by: str) -> None:
    """Set each speaker's participant; an empty participant id clears the mapping.

    Raises LookupFailed naming the meeting, label or participant that does not exist.
    """
    if not con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone():
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    labels = {r[0] for r in con.execute("select speaker_label from speakers where meeting_id = ?", [meeting_id]).fetchall()}
    participants = {r[0] for r in con.execute("select participant_id from participants where meeting_id = ?", [meeting_id]).fetchall()}
    for label, participant in mapping.items():
        if label not in labels:
            raise LookupFailed(f"meeting {meeting_id}: no speaker {label!r}; speakers are: {', '.join(sorted(labels)) or 'none'}")
        if participant and participant not in participants:
            raise LookupFailed(
                f"meeting {meeting_id}: no participant {participant!r}; participants are: {', '.join(sorted(participants))}"
            )
    now = dt.datetime.now()
    with transaction(con):
        for label, participant in mapping.items():
            con.execute(
                "update speakers set participant_id = ?, mapped_at = ?, mapped_by = ? where meeting_id = ? and speaker_label = ?",
                [participant or None, now, mapped_by, meeting_id, label],
            )
        refresh_meeting_facts(con, meeting_id)  # roles of utterances follow the mapping


def list_speakers(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list[dict]:
    """Each diarised speaker of the meeting, in label order: ``speaker_label``, ``participant_id``
    and ``role`` (None while unmapped), ``speech_s``, ``mapped_by``, ``mapped_at``.

    Raises LookupFailed for a meeting that is not in the database.
    """
    if con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone() is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    cursor = con.execute(
        """
        select s.speaker_label, r.participant_id, r.role, s.speech_s, s.mapped_by, s.mapped_at
        from speakers as s
        inner join compute_speaker_roles(?) as r using (meeting_id, speaker_label)
        order by s.speaker_label
        """,
        [meeting_id],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
