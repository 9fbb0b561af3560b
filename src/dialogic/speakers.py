"""Map diarised speaker labels to the meeting's participants (and so to roles)."""

from __future__ import annotations

import datetime as dt

import duckdb

from dialogic.db import transaction
from dialogic.errors import LookupFailed
from dialogic.manifest import Participant
from dialogic.people import display_name, participants_named
from dialogic.store.facts import refresh_meeting_facts


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["SPEAKER_00=p1", "SPEAKER_01=p3"]`` → ``{"SPEAKER_00": "p1", ...}``; ``=`` alone unmaps."""
    mapping = {}
    for pair in pairs:
        label, sep, participant = pair.partition("=")
        if not sep or not label:
            raise LookupFailed(f"expected SPEAKER=PARTICIPANT, got {pair!r}")
        mapping[label.strip()] = participant.strip()
    return mapping


def _participant_for(meeting_id: str, name: str, people: list[Participant]) -> str:
    """The participant ``name`` names: its id, or whatever ``people.participants_named`` matches
    (pseudonym, person, relation, profession, role word) — the rule a transcript's import uses."""
    if any(p.id == name for p in people):
        return name
    found = participants_named(name, people)
    if len(found) == 1:
        return next(iter(found))
    listing = ", ".join(display_name(participant_id=p.id, **_fields(p)) + f" = {p.id}" for p in people)
    if found:
        raise LookupFailed(
            f"meeting {meeting_id}: {name!r} names more than one participant ({', '.join(sorted(found))}); "
            f"give the id. Participants: {listing}"
        )
    raise LookupFailed(f"meeting {meeting_id}: no participant {name!r}; participants are: {listing or 'none'}")


def _fields(p: Participant) -> dict:
    return {"pseudonym": p.pseudonym, "role": p.role, "relation": p.relation, "profession": p.profession}


def map_speakers(con: duckdb.DuckDBPyConnection, meeting_id: str, mapping: dict[str, str], mapped_by: str) -> None:
    """Set each speaker's participant; an empty participant clears the mapping. A participant
    may be given by id or by any name a transcript's import matches (``people.participants_named``:
    pseudonym, person, relation, profession, role word) when it names exactly one participant.

    Raises LookupFailed naming the meeting, label or participant that does not exist, or a name
    that fits several participants.
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
        resolved[label] = _participant_for(meeting_id, participant, people) if participant else ""
    mapping = resolved
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
    and ``role`` (None while unmapped), ``name`` (``people.display_name``), ``speech_s``, ``longest_turn_s``, ``doubtful`` (little
    speech: see `dialogic.voices.doubtful_speakers`), ``mapped_by``, ``mapped_at``.

    Raises LookupFailed for a meeting that is not in the database.
    """
    if con.execute("select 1 from meetings where meeting_id = ?", [meeting_id]).fetchone() is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    cursor = con.execute(
        """
        select s.speaker_label, r.participant_id, r.role, s.speech_s, s.longest_turn_s, s.doubtful,
               s.mapped_by, s.mapped_at, p.pseudonym, p.relation, p.profession
        from speakers as s
        inner join compute_speaker_roles(?) as r using (meeting_id, speaker_label)
        left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = r.participant_id
        order by s.speaker_label
        """,
        [meeting_id],
    )
    names = [d[0] for d in cursor.description]
    speakers = [dict(zip(names, row)) for row in cursor.fetchall()]
    for s in speakers:
        s["name"] = display_name(
            participant_id=s["participant_id"],
            pseudonym=s.pop("pseudonym"),
            role=s["role"] if s["participant_id"] else None,
            relation=s.pop("relation"),
            profession=s.pop("profession"),
            speaker_label=s["speaker_label"],
        )
    return speakers


def merge_speakers(con: duckdb.DuckDBPyConnection, meeting_id: str, source: str, target: str) -> dict:
    """Fold diarised speaker ``source`` into ``target`` (one person split in two by diarisation, or
    a doubtful fragment): its words, utterances and turns take ``target``'s label, ``target``'s
    speech, longest turn and voice are recomputed, and ``source`` is gone. ``target`` keeps its
    mapping, or takes ``source``'s when it had none; two speakers mapped to different participants
    are refused. Returns the merged speaker's row. A later re-run of the meeting diarises afresh.
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
        refresh_meeting_facts(con, meeting_id)
    return next(s for s in list_speakers(con, meeting_id) if s["speaker_label"] == target)


def no_voices_reason(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str | None:
    """Why the meeting's speakers have no voices to compare (None when they may): a meeting
    imported from a transcript was not diarised, with or without a recording; its speakers are
    the transcript's names. Raises LookupFailed for a meeting not in the database."""
    list_speakers(con, meeting_id)
    source, audio_path = con.execute(
        "select coalesce(source, 'audio'), audio_path from meetings where meeting_id = ?", [meeting_id]
    ).fetchone()
    if source == "audio":
        return None
    why = "has no recording" if audio_path is None else "was not diarised"
    return (
        f"meeting {meeting_id} was imported from a transcript and {why}: there are no voices to compare; "
        f"its speakers are the transcript's names (map one with: dialogic speakers map {meeting_id} NAME=PARTICIPANT)"
    )


def suggest_mappings(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list:
    """Who each speaker of the meeting may be, from the voices of people (the manifest's
    ``person:``) enrolled in other meetings where a rater mapped them: every (speaker, person of
    this meeting) pair with its cosine similarity, most similar first per speaker. None for a
    meeting imported from a transcript (``no_voices_reason`` says why)."""
    from dialogic.voices import suggest

    if no_voices_reason(con, meeting_id):  # raises LookupFailed for a meeting not in the database
        return []
    speakers = dict(
        con.execute(
            "select speaker_label, embedding from speakers where meeting_id = ? and embedding is not null", [meeting_id]
        ).fetchall()
    )
    person_participants = dict(
        con.execute(
            "select person_id, participant_id from participants where meeting_id = ? and person_id is not null",
            [meeting_id],
        ).fetchall()
    )
    enrolled: dict[str, list] = {}
    for person, embedding in con.execute(
        """
        select p.person_id, s.embedding
        from speakers as s
        inner join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
        where s.meeting_id <> ? and p.person_id is not null and s.embedding is not null and not s.doubtful
        """,
        [meeting_id],
    ).fetchall():
        enrolled.setdefault(person, []).append(embedding)
    return suggest(speakers, enrolled, person_participants)
