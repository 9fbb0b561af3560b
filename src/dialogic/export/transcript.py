"""One stored meeting read for export: its speakers as people, its utterances with their tags.

Every export format renders a ``MeetingTranscript``; ``load_transcript`` is the only place that
reads the database, so that every format shows the same people, the same tags and honours the
same consent rule:

- **Consent**: a meeting is exported only when its consent is ``given`` and its scope includes
  ``analyse`` (the ``analysable_meetings`` macro, the rule of every analytics view). An export
  carries what was said, by whom, out of the database into another tool for analysis; consent to
  ``transcribe`` alone (or to ``review`` alone) does not cover that. Anything else raises
  ``ConsentError`` naming the meeting, its status and scope.
- **Withdrawn participants**: ``dialogic consent withdraw --participant`` removes their speech;
  should a row of a speaker mapped to one of ``meetings.withdrawn_participants`` still exist (a
  manifest that lists them again), it is left out here too, and ``consent_note`` says that the
  meeting is incomplete.
- **People**: a speaker mapped to a participant is shown by the participant's pseudonym (else the
  participant id) and role, through ``compute_speaker_roles``, the one speaker → participant →
  role rule; an unmapped speaker by its diarisation label, with no role.
- **Tags**: the meeting's current tagger version (``stg_current_tags``), the codebook's rule by
  role (``tag_role_rule``) and the raters' majority answer (``rater_labels``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass

import duckdb

from dialogic.errors import ConsentError, LookupFailed
from dialogic.people import UNATTRIBUTED, display_name
from dialogic.records import Word

CORRECTIONS_TABLE = "transcript_revisions"


@dataclass(frozen=True)
class Voice:
    """Who spoke an utterance: a diarised speaker and, once mapped, the participant."""

    speaker_label: str | None
    participant_id: str | None = None
    pseudonym: str | None = None
    role: str | None = None  # a manifest role ('service_user', ...); None until mapped
    relation: str | None = None
    profession: str | None = None

    @property
    def name(self) -> str:
        """The pseudonym, else the participant id, else the speaker label."""
        return self.pseudonym or self.participant_id or self.speaker_label or UNATTRIBUTED

    @property
    def display(self) -> str:
        """``Alex (service user)``, ``Maria (network, mother)`` once mapped; the bare label
        (``SPEAKER_00``) before: ``people.display_name``, the one name every output shows."""
        return display_name(
            participant_id=self.participant_id,
            pseudonym=self.pseudonym,
            role=self.role,
            relation=self.relation,
            profession=self.profession,
            speaker_label=self.speaker_label,
        )

    @property
    def key(self) -> str:
        """What groups utterances into one tier: the participant, else the speaker label."""
        return self.participant_id or self.speaker_label or UNATTRIBUTED


@dataclass(frozen=True)
class UtteranceTag:
    """One tag of one utterance from the meeting's current tagger version."""

    tag: str
    probability: float
    threshold: float
    model_label: bool  # the model's own yes/no (probability ≥ threshold)
    role_rule: str  # tag_role_rule: 'applies', 'candidate' (speaker's role unknown) or 'not_applicable'
    model_version: str
    rater_label: bool | None = None  # the raters' majority (rater_labels); None: unrated or tied
    n_raters: int | None = None

    @property
    def counts(self) -> bool:
        """Whether the label counts, as the views count it: the model said yes and the role rule applies."""
        return self.model_label and self.role_rule == "applies"

    @property
    def status(self) -> str:
        """``yes`` (counts), ``candidate`` (yes, awaiting the speaker's role) or ``no``."""
        if self.counts:
            return "yes"
        return "candidate" if self.model_label and self.role_rule == "candidate" else "no"


@dataclass(frozen=True)
class ExportUtterance:
    utterance_id: str
    utterance_index: int
    voice: Voice
    start_s: float | None  # None: an imported transcript without times
    end_s: float | None
    text: str
    words: tuple[Word, ...] = ()
    tags: tuple[UtteranceTag, ...] = ()

    def tag(self, name: str) -> UtteranceTag | None:
        return next((t for t in self.tags if t.tag == name), None)


@dataclass(frozen=True)
class ExportParticipant:
    participant_id: str
    role: str
    pseudonym: str | None
    speaker_labels: tuple[str, ...]  # the diarised speakers mapped to them


@dataclass(frozen=True)
class MeetingTranscript:
    meeting_id: str
    audio_path: str | None  # None: imported from a transcript without a recording
    recorded_on: dt.date | None
    duration_s: float | None
    consent_note: str | None  # null, or 'incomplete: the speech of N participant(s) was withdrawn'
    tagger_model_version: str | None  # the version whose labels the views count for this meeting
    validation_status: str | None  # that version's measured error on this study
    participants: tuple[ExportParticipant, ...]
    utterances: tuple[ExportUtterance, ...]
    corrections: tuple[dict, ...] = ()

    @property
    def end_s(self) -> float:
        """The recording's duration, or the last utterance's end when that is later (or unknown)."""
        return max([self.duration_s or 0.0, *(u.end_s for u in self.utterances if u.end_s is not None)])

    @property
    def timed(self) -> bool:
        """Whether its utterances have times (False for an imported transcript without them)."""
        return all(u.start_s is not None for u in self.utterances)


def require_export_consent(con: duckdb.DuckDBPyConnection, meeting_id: str) -> None:
    """Raise LookupFailed for an unknown meeting and ConsentError unless its consent is given and
    covers ``analyse`` (``analysable_meetings``)."""
    row = con.execute(
        "select consent_status, consent_scope from meetings where meeting_id = ?", [meeting_id]
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    allowed = con.execute("select count(*) from analysable_meetings() where meeting_id = ?", [meeting_id]).fetchone()[0]
    if not allowed:
        status, scope = row
        raise ConsentError(
            f"meeting {meeting_id}: consent status {status!r}, scope {list(scope)}: exports need consent "
            "'given' with 'analyse' in its scope (an export takes what was said out of the database for analysis)"
        )


def load_transcript(con: duckdb.DuckDBPyConnection, meeting_id: str) -> MeetingTranscript:
    """Read ``meeting_id`` for export, after the consent check (see the module docstring)."""
    require_export_consent(con, meeting_id)
    audio_path, recorded_on, duration_s, consent_note, withdrawn = con.execute(
        """
        select audio_path, recorded_on, duration_s, consent_note(withdrawn_participants),
            coalesce(withdrawn_participants, [])
        from meetings where meeting_id = ?
        """,
        [meeting_id],
    ).fetchone()
    tagger = con.execute(
        """
        select c.model_version, coalesce(s.validation_status, 'not validated on this study')
        from stg_current_tagger as c
        left join tagger_validation_summary as s on s.tagger_model_version = c.model_version
        where c.meeting_id = ?
        """,
        [meeting_id],
    ).fetchone()
    words = _words(con, meeting_id)
    tags = _tags(con, meeting_id)
    utterances = tuple(
        ExportUtterance(
            utterance_id=uid,
            utterance_index=index,
            voice=Voice(label, pid, pseudonym, role, relation, profession),
            start_s=start_s,
            end_s=end_s,
            text=text,
            words=tuple(words.get(uid, ())),
            tags=tuple(tags.get(uid, ())),
        )
        for uid, index, label, pid, pseudonym, role, relation, profession, start_s, end_s, text in con.execute(
            """
            select u.utterance_id, u.utterance_index, u.speaker_label, s.participant_id, p.pseudonym, s.role,
                p.relation, p.profession, u.start_s, u.end_s, u.text
            from utterances as u
            left join compute_speaker_roles(?) as s
                on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
            left join participants as p on p.meeting_id = u.meeting_id and p.participant_id = s.participant_id
            where u.meeting_id = ?
              and (s.participant_id is null or not list_contains(?, s.participant_id))
            order by u.utterance_index
            """,
            [meeting_id, meeting_id, withdrawn],
        ).fetchall()
    )
    participants = tuple(
        ExportParticipant(pid, role, pseudonym, tuple(labels))
        for pid, role, pseudonym, labels in con.execute(
            """
            select p.participant_id, p.role, p.pseudonym,
                coalesce(list(s.speaker_label order by s.speaker_label) filter (where s.speaker_label is not null), [])
            from participants as p
            left join speakers as s on s.meeting_id = p.meeting_id and s.participant_id = p.participant_id
            where p.meeting_id = ? and not list_contains(?, p.participant_id)
            group by all
            order by p.participant_id
            """,
            [meeting_id, withdrawn],
        ).fetchall()
    )
    return MeetingTranscript(
        meeting_id=meeting_id,
        audio_path=audio_path,
        recorded_on=recorded_on,
        duration_s=duration_s,
        consent_note=consent_note,
        tagger_model_version=tagger[0] if tagger else None,
        validation_status=tagger[1] if tagger else None,
        participants=participants,
        utterances=utterances,
        corrections=load_corrections(con, meeting_id),
    )


def _words(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict[str, list[Word]]:
    words: dict[str, list[Word]] = {}
    for uid, start_s, end_s, word, probability in con.execute(
        "select utterance_id, start_s, end_s, word, probability from words where meeting_id = ? order by word_index",
        [meeting_id],
    ).fetchall():
        words.setdefault(uid, []).append(Word(start_s, end_s, word, probability))
    return words


def _tags(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict[str, list[UtteranceTag]]:
    tags: dict[str, list[UtteranceTag]] = {}
    for uid, *fields in con.execute(
        """
        select t.utterance_id, t.tag, t.probability, t.threshold, t.label, tag_role_rule(t.tag, s.role),
            t.model_version, r.label, r.n_raters
        from stg_current_tags as t
        inner join utterances as u on u.utterance_id = t.utterance_id
        left join compute_speaker_roles(?) as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
        left join rater_labels as r on r.utterance_id = t.utterance_id and r.tag = t.tag
        where t.meeting_id = ?
        order by t.utterance_id, t.tag
        """,
        [meeting_id, meeting_id],
    ).fetchall():
        tags.setdefault(uid, []).append(UtteranceTag(*fields))
    return tags


def load_corrections(con: duckdb.DuckDBPyConnection, meeting_id: str) -> tuple[dict, ...]:
    """The meeting's rows of ``transcript_revisions`` (raters' corrections of the transcript), one
    dict per row with that table's columns as keys, oldest first; empty when the table does not
    exist in this database. Rows are found by ``meeting_id``, else by ``utterance_id``; times are
    ISO 8601 strings."""
    columns = [
        r[0]
        for r in con.execute(
            """
            select column_name from duckdb_columns()
            where table_name = ? and schema_name = 'main' and database_name = current_database()
            order by column_index
            """,
            [CORRECTIONS_TABLE],
        ).fetchall()
    ]
    if not columns:
        return ()
    if "meeting_id" in columns:
        where, params = "meeting_id = ?", [meeting_id]
    elif "utterance_id" in columns:
        where, params = "utterance_id in (select utterance_id from utterances where meeting_id = ?)", [meeting_id]
    else:
        return ()
    # oldest first: by the first time column, then by every column for a stable order
    time_columns = [c for c in columns if c.endswith("_at")]
    order = ", ".join(f'"{c}"' for c in [*time_columns[:1], *columns])
    rows = con.execute(f'select * from "{CORRECTIONS_TABLE}" where {where} order by {order}', params).fetchall()
    return tuple({c: _plain(v) for c, v in zip(columns, row)} for row in rows)


def _plain(value):
    """A value JSON can hold."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
