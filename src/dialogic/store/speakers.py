"""Speaker → participant mappings (`map_speakers`) and merging two diarised speakers
(`merge_speakers`). A mapping sets the speaker's role, which the views and v1–v3 taggers read, so
each write ends with `dialogic.store.derived.propagate`: the facts are refreshed and the
utterances whose role or speaker changed are tagged again by the meeting's tagger version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from dialogic.db import transaction
from dialogic.errors import LookupFailed
from dialogic.manifest import Participant
from dialogic.speakers import list_speakers, participant_for
from dialogic.store.derived import Change, Propagated, default_tagger_loader, propagate, tagger_inputs


def map_speakers(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    mapping: dict[str, str],
    mapped_by: str,
    *,
    load_tagger: Callable[[str], object] | None = default_tagger_loader,
) -> Propagated:
    """Set each speaker's participant; an empty participant clears the mapping. A participant
    may be given by id or by any name a transcript's import matches (``people.participants_named``:
    pseudonym, person, relation, profession, role word) when it names exactly one participant.

    The utterances whose role changed are tagged again when the meeting's tagger version reads
    the role (`dialogic.store.derived.propagate`; ``load_tagger`` loads it). Returns what was
    tagged again. Raises LookupFailed naming the meeting, label or participant that does not
    exist, or a name that fits several participants.
    """
    if not con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone():
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    labels = {
        r[0] for r in con.execute("select speaker_label from speakers where meeting_id = ?", [meeting_id]).fetchall()
    }
    people = [
        Participant(*row)
        for row in con.execute(
            """
            select participant_id, role, pseudonym, relation, profession, person_id
            from participants where meeting_id = ? order by participant_id
            """,
            [meeting_id],
        ).fetchall()
    ]
    resolved = {}
    for label, participant in mapping.items():
        if label not in labels:
            raise LookupFailed(
                f"meeting {meeting_id}: no speaker {label!r}; speakers are: {', '.join(sorted(labels)) or 'none'}"
            )
        resolved[label] = participant_for(meeting_id, participant, people) if participant else ""
    mapping = resolved
    now = dt.datetime.now()
    with transaction(con):
        before = tagger_inputs(con, meeting_id)
        for label, participant in mapping.items():
            con.execute(
                "update speakers set participant_id = ?, mapped_at = ?, mapped_by = ? where meeting_id = ? and speaker_label = ?",
                [participant or None, now, mapped_by, meeting_id, label],
            )
        # roles of utterances follow the mapping, and a tagger may read the role
        return propagate(con, Change(meeting_id, "mapped", before), load_tagger=load_tagger)


def merge_speakers(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    source: str,
    target: str,
    *,
    load_tagger: Callable[[str], object] | None = default_tagger_loader,
) -> dict:
    """Fold diarised speaker ``source`` into ``target`` (one person split in two by diarisation, or
    a doubtful fragment): its words, utterances and turns take ``target``'s label, ``target``'s
    speech, longest turn and voice are recomputed, and ``source`` is gone. ``target`` keeps its
    mapping, or takes ``source``'s when it had none; two speakers mapped to different participants
    are refused. The moved utterances are tagged again (`dialogic.store.derived.propagate`).
    Returns the merged speaker's row. A later re-run of the meeting diarises afresh.
    """
    import numpy as np

    from dialogic.records import SpeakerTurn
    from dialogic.voices import shared_speech_s

    rows = {s["speaker_label"]: s for s in list_speakers(con, meeting_id)}
    for label in (source, target):
        if label not in rows:
            raise LookupFailed(
                f"meeting {meeting_id}: no speaker {label!r}; speakers are: {', '.join(sorted(rows)) or 'none'}"
            )
    if source == target:
        raise LookupFailed(f"meeting {meeting_id}: cannot merge {source} into itself")
    a, b = rows[source], rows[target]
    if a["participant_id"] and b["participant_id"] and a["participant_id"] != b["participant_id"]:
        raise LookupFailed(
            f"meeting {meeting_id}: {source} is mapped to {a['participant_id']} and {target} to {b['participant_id']}; "
            "unmap one first if they are one person"
        )
    with transaction(con):
        before = tagger_inputs(con, meeting_id)
        for table in ("words", "utterances", "turns"):
            con.execute(
                f"update {table} set speaker_label = ? where meeting_id = ? and speaker_label = ?",
                [target, meeting_id, source],
            )
        origin, timed = con.execute("select source, timed from meetings where meeting_id = ?", [meeting_id]).fetchone()
        # an imported transcript has no diarised turns: its utterances are the speaker's speech
        spans = (
            "select start_s, end_s from turns where meeting_id = ? and track = 'overlap' and speaker_label = ?"
            if (origin or "audio") == "audio"
            else "select start_s, end_s from utterances where meeting_id = ? and speaker_label = ? and start_s is not null"
        )
        turns = [SpeakerTurn(target, s, e) for s, e in con.execute(spans, [meeting_id, target]).fetchall()]
        untimed = timed is False  # no times to measure speech with: it stays unknown
        speech_s = None if untimed else shared_speech_s(turns, turns)  # the union: the two may have overlapped
        vectors = con.execute(
            "select embedding, speech_s from speakers where meeting_id = ? and speaker_label in (?, ?) and embedding is not null",
            [meeting_id, source, target],
        ).fetchall()
        embedding = None
        if vectors:
            mean = np.average(
                np.asarray([v for v, _ in vectors], dtype=np.float64),
                axis=0,
                weights=[max(w, 1e-3) for _, w in vectors],
            )
            embedding = [round(float(x), 6) for x in mean / (np.linalg.norm(mean) or 1.0)]
        keep = b if b["participant_id"] else a
        con.execute("delete from speakers where meeting_id = ? and speaker_label = ?", [meeting_id, source])
        con.execute(
            """
            update speakers set participant_id = ?, mapped_at = ?, mapped_by = ?, speech_s = ?, embedding = ?,
                   longest_turn_s = ?, doubtful = false
            where meeting_id = ? and speaker_label = ?
            """,
            [
                keep["participant_id"],
                keep["mapped_at"],
                keep["mapped_by"],
                None if untimed else round(speech_s, 3),
                embedding,
                None if untimed else round(max((t.end_s - t.start_s for t in turns), default=0.0), 3),
                meeting_id,
                target,
            ],
        )
        propagate(con, Change(meeting_id, "merged", before), load_tagger=load_tagger)
    return next(s for s in list_speakers(con, meeting_id) if s["speaker_label"] == target)
