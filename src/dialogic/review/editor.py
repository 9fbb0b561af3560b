"""The transcript editor's reads, and turning its forms into corrections.

The editor shows one meeting's current transcript (utterances with their words and times, who
each speaker is), its speakers, its recent corrections and its word error rate; the writes are
`dialogic.store.corrections.correct`. Only meetings whose consent covers review.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote

import duckdb

from dialogic.corrections.edits import Edit, EditWords, Merge, Reassign, RenameSpeaker, Revert, Split
from dialogic.errors import EditRefused, LookupFailed
from dialogic.people import display_name
from dialogic.review.clips import UTTERANCE_PADDING_S
from dialogic.store.corrections import require_machine_transcript, reverted_revisions, utterance_version

NEW_SPEAKER = "__new__"  # the speaker choice that means "a speaker not in the list"


@dataclass(frozen=True)
class EditorWord:
    word: str
    start_s: float
    end_s: float
    typed: bool  # typed by an editor (no recogniser probability)


@dataclass(frozen=True)
class EditorUtterance:
    utterance_id: str
    meeting_id: str
    index: int
    speaker_label: str | None
    participant_id: str | None
    role: str | None
    pseudonym: str | None
    start_s: float | None  # None: an imported transcript without times
    end_s: float | None
    text: str
    revision_id: int | None
    words: tuple[EditorWord, ...]
    relation: str | None = None
    profession: str | None = None
    has_audio: bool = True  # False: imported from a transcript without a recording

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

    @property
    def playable(self) -> bool:
        return self.has_audio and self.start_s is not None

    @property
    def version(self) -> str:
        return utterance_version(self.speaker_label, self.text)

    @property
    def audio_url(self) -> str:
        return "/audio/utterance/" + quote(self.utterance_id, safe="/")

    @property
    def clip_start_s(self) -> float:
        """Where this utterance's audio clip (`/audio/utterance/...`) starts in the recording."""
        return max(0.0, (self.start_s or 0.0) - UTTERANCE_PADDING_S)


@dataclass(frozen=True)
class SpeakerChoice:
    speaker_label: str
    participant_id: str | None
    role: str | None
    pseudonym: str | None
    utterances: int
    relation: str | None = None
    profession: str | None = None

    @property
    def display(self) -> str:
        return display_name(
            participant_id=self.participant_id,
            pseudonym=self.pseudonym,
            role=self.role,
            relation=self.relation,
            profession=self.profession,
            speaker_label=self.speaker_label,
        )


@dataclass(frozen=True)
class RevisionLine:
    revision_id: int
    editor: str
    edited_at: dt.datetime
    kind: str
    target_ids: list[str]
    in_effect: bool
    undone_by: int | None = None  # the revert that undid it
    undoes: int | None = None  # for a revert: the correction it undid

    @property
    def can_undo(self) -> bool:
        return self.in_effect and self.undone_by is None


@dataclass(frozen=True)
class EditorPage:
    meeting_id: str
    utterances: list[EditorUtterance]
    speakers: list[SpeakerChoice]
    revisions: list[RevisionLine]
    word_error: dict | None  # the meeting's transcript_word_error_rate row
    imported: str | None = None  # why the page is read-only: the meeting came from a transcript file

    @property
    def next_undo(self) -> int | None:
        """The correction the undo key undoes: the newest one in effect, not undone, not itself an undo."""
        return next((r.revision_id for r in self.revisions if r.can_undo and r.kind != "revert"), None)


def require_reviewable(con: duckdb.DuckDBPyConnection, meeting_id: str) -> None:
    if not con.execute("select count(*) from reviewable_meetings() where meeting_id = ?", [meeting_id]).fetchone()[0]:
        raise LookupFailed(f"no meeting {meeting_id!r} whose consent covers review")


def editor_meetings(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(meeting_id, utterances, corrections in effect, wer or None, source) for every reviewable
    meeting with utterances; ``source`` 'audio', 'transcript' or 'audio+transcript' (an imported
    transcript is read here, and corrected in its file)."""
    return con.execute(
        """
        select u.meeting_id, count(*) as utterances,
               (select count(*) from transcript_revision_status as r where r.meeting_id = u.meeting_id and r.in_effect),
               (select wer from transcript_word_error_rate as w where w.meeting_id = u.meeting_id),
               (select coalesce(source, 'audio') from meetings as m where m.meeting_id = u.meeting_id)
        from utterances as u
        where u.meeting_id in (select meeting_id from reviewable_meetings())
        group by u.meeting_id order by u.meeting_id
        """
    ).fetchall()


_UTTERANCES = """
select u.utterance_id, u.meeting_id, u.utterance_index, u.speaker_label, s.participant_id, s.role, p.pseudonym,
       u.start_s, u.end_s, u.text, u.revision_id,
       list({'word': w.word, 'start_s': w.start_s, 'end_s': w.end_s, 'typed': w.probability is null}
            order by w.word_index) filter (where w.word is not null) as words,
       p.relation, p.profession, (select audio_path is not null from meetings where meeting_id = u.meeting_id)
from utterances as u
left join words as w on w.meeting_id = u.meeting_id and w.utterance_id = u.utterance_id
left join compute_speaker_roles(?) as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
where u.meeting_id = ? {extra}
group by all
order by u.utterance_index
"""


def _utterances(con, meeting_id: str, extra: str = "", params: list | None = None) -> list[EditorUtterance]:
    rows = con.execute(_UTTERANCES.replace("{extra}", extra), [meeting_id, meeting_id] + (params or [])).fetchall()
    return [
        EditorUtterance(
            *row[:11],
            tuple(EditorWord(w["word"], w["start_s"], w["end_s"], w["typed"]) for w in row[11] or []),
            *row[12:],
        )
        for row in rows
    ]


def list_speaker_choices(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list[SpeakerChoice]:
    """Every speaker of the meeting (diarised, or created by a correction), by label: the picker's
    numbers stay the same however many utterances a correction moves."""
    rows = con.execute(
        """
        with labels as (
            select speaker_label from speakers where meeting_id = $m
            union
            select speaker_label from utterances where meeting_id = $m and speaker_label is not null
        )
        select l.speaker_label, s.participant_id, s.role, p.pseudonym,
               (select count(*) from utterances as u where u.meeting_id = $m and u.speaker_label = l.speaker_label) as n,
               p.relation, p.profession
        from labels as l
        left join compute_speaker_roles($m) as s on s.speaker_label = l.speaker_label
        left join participants as p on p.meeting_id = $m and p.participant_id = s.participant_id
        order by l.speaker_label
        """,
        {"m": meeting_id},
    ).fetchall()
    return [SpeakerChoice(*row) for row in rows]


def load_editor(con: duckdb.DuckDBPyConnection, meeting_id: str, *, revisions: int = 20) -> EditorPage:
    """The editor page of one reviewable meeting; read-only (``imported`` says why) for a meeting
    imported from a transcript file, which is corrected in the file and read again."""
    require_reviewable(con, meeting_id)
    try:
        require_machine_transcript(con, meeting_id)
        imported = None
    except EditRefused as exc:
        imported = str(exc)
    undone = reverted_revisions(con, meeting_id)
    history = [
        RevisionLine(
            rid,
            editor,
            edited_at,
            kind,
            targets,
            in_effect,
            undone.get(rid),
            json.loads(params).get("revision_id") if kind == "revert" else None,
        )
        for rid, editor, edited_at, kind, targets, in_effect, params in con.execute(
            "select revision_id, editor, edited_at, kind, target_ids, in_effect, params from transcript_revision_status "
            "where meeting_id = ? order by revision_id desc limit ?",
            [meeting_id, revisions],
        ).fetchall()
    ]
    cursor = con.execute("select * from transcript_word_error_rate where meeting_id = ?", [meeting_id])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return EditorPage(
        meeting_id,
        _utterances(con, meeting_id),
        list_speaker_choices(con, meeting_id),
        history,
        dict(zip(names, row)) if row else None,
        imported,
    )


def load_correction(
    con: duckdb.DuckDBPyConnection, utterance_id: str
) -> tuple[EditorUtterance, EditorUtterance | None, list[SpeakerChoice]]:
    """One utterance, the one after it and the meeting's speakers, for the page that corrects one
    utterance with plain forms (no script needed)."""
    row = con.execute(
        "select meeting_id, utterance_index from utterances where utterance_id = ? "
        "and meeting_id in (select meeting_id from reviewable_meetings())",
        [utterance_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"no utterance {utterance_id!r} in a meeting whose consent covers review")
    meeting_id, index = row
    require_machine_transcript(con, meeting_id)  # EditRefused: an imported transcript is corrected in its file
    pair = _utterances(con, meeting_id, "and u.utterance_index in (?, ?)", [index, index + 1])
    return pair[0], pair[1] if len(pair) > 1 else None, list_speaker_choices(con, meeting_id)


def _offset(form, name: str) -> int | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise EditRefused(f"{name.replace('_', ' ')} must be a whole number, not {value!r}") from exc


def parse_edit_form(form) -> tuple[Edit, dict[str, str]]:
    """The correction a form asks for, and the versions of the utterances the editor saw.

        Fields: ``kind``; ``utterance_id``; ``next_utterance_id`` (merge); ``at_word`` (split, an
        offset); ``from_word``/``to_word`` (reassign: offsets, the end excluded; absent: the whole
        utterance); ``speaker_label`` (reassign; ``__new__`` takes ``new_speaker``); ``text``
        (edit_words); ``new_label`` (rename_speaker); ``revision_id`` (revert: the correction to
    undo); ``expected``/``expected_next``: versions.
    """
    kind = str(form.get("kind") or "")
    uid = str(form.get("utterance_id") or "")
    expected = {}
    if form.get("expected"):
        expected[uid] = str(form.get("expected"))
    if kind == "reassign":
        speaker = str(form.get("speaker_label") or "").strip()
        if speaker == NEW_SPEAKER or not speaker:
            speaker = str(form.get("new_speaker") or "").strip()
        if not speaker:
            raise EditRefused("choose a speaker, or type the name of a new one")
        from_word, to_word = _offset(form, "from_word"), _offset(form, "to_word")
        return Reassign(uid, speaker, from_word, to_word), expected
    if kind == "split":
        at_word = _offset(form, "at_word")
        if at_word is None:
            raise EditRefused("choose the word to split before")
        return Split(uid, at_word), expected
    if kind == "merge":
        next_id = str(form.get("next_utterance_id") or "")
        if form.get("expected_next"):
            expected[next_id] = str(form.get("expected_next"))
        return Merge(uid, next_id), expected
    if kind == "edit_words":
        return EditWords(uid, str(form.get("text") or "")), expected
    if kind == "revert":
        revision = _offset(form, "revision_id")
        if revision is None:
            raise EditRefused("choose the correction to undo")
        return Revert(revision), {}
    if kind == "rename_speaker":
        new_label = str(form.get("new_label") or "").strip()
        if not new_label:
            raise EditRefused("type the speaker's new name")
        return RenameSpeaker(str(form.get("speaker_label") or ""), new_label), {}
    raise EditRefused(f"unknown correction {kind!r}")
