"""Map diarised speaker labels to a meeting's manifest participants.

A diarised speaker ('SPEAKER_01') only gets a role once someone who listened says which
participant it is; `dialogic speakers map` and the review app's speaker page both write the
mapping through :func:`map_speakers`.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from dialogic.db import transaction
from dialogic.errors import LookupFailed


def map_speakers(
    con: duckdb.DuckDBPyConnection, meeting_id: str, mapping: dict[str, str], mapped_by: str
) -> None:
    """Set ``speakers.participant_id`` for each ``{speaker_label: participant_id}`` of a meeting.

    Every label and participant is checked before anything is written, and all rows change in
    one transaction, so a mapping is applied whole or not at all. Raises LookupFailed naming
    the meeting, speaker label or participant that does not exist.
    """
    if con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone() is None:
        raise LookupFailed(f"no meeting {meeting_id!r}")
    labels = {row[0] for row in con.execute(
        "select speaker_label from speakers where meeting_id = ?", [meeting_id]
    ).fetchall()}
    participants = {row[0] for row in con.execute(
        "select participant_id from participants where meeting_id = ?", [meeting_id]
    ).fetchall()}
    for label, participant_id in mapping.items():
        if label not in labels:
            raise LookupFailed(
                f"meeting {meeting_id!r} has no diarised speaker {label!r}; expected one of {sorted(labels)}"
            )
        if participant_id not in participants:
            raise LookupFailed(
                f"meeting {meeting_id!r} has no participant {participant_id!r}; expected one of {sorted(participants)}"
            )
    mapped_at = datetime.now()
    with transaction(con):
        for label, participant_id in mapping.items():
            con.execute(
                """
                update speakers set participant_id = ?, mapped_at = ?, mapped_by = ?
                where meeting_id = ? and speaker_label = ?
                """,
                [participant_id, mapped_at, mapped_by, meeting_id, label],
            )
