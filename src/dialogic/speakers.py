"""Map diarised speaker labels to the meeting's participants (and so to roles)."""

from __future__ import annotations

import duckdb

from dialogic.errors import LookupFailed
from dialogic.manifest import Participant
from dialogic.people import display_name, participants_named


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["SPEAKER_00=p1", "SPEAKER_01=p3"]`` → ``{"SPEAKER_00": "p1", ...}``; ``=`` alone unmaps."""
    mapping = {}
    for pair in pairs:
        label, sep, participant = pair.partition("=")
        if not sep or not label:
            raise LookupFailed(f"expected SPEAKER=PARTICIPANT, got {pair!r}")
        mapping[label.strip()] = participant.strip()
    return mapping


def participant_for(meeting_id: str, name: str, people: list[Participant]) -> str:
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
