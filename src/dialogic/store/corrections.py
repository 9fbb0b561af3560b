"""Corrections in DuckDB: each one a transaction that appends a revision and leaves the meeting's
utterances, words, speakers, tags, word error rate and analytics facts all in step.

Tables in ``sql/migrations/017_transcript_revisions.sql``. ``utterances``/``words`` hold the
current transcript; a correction rewrites the meeting's rows (utterance and word indexes stay
0, 1, 2 … in meeting order; utterance ids are kept, so ratings and tags of unchanged utterances
still apply). ``machine_utterances``/``machine_words`` are written only by processing runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dialogic.corrections.edits import (
    Edit,
    EditUtterance,
    EditWord,
    Reassign,
    RenameSpeaker,
    Revert,
    Transcript,
    apply_edit,
    apply_revert,
    check_new_speaker_name,
    edit_from_params,
    edit_params,
    target_ids,
)
from dialogic.corrections.replay import ReplayResult, StoredRevision, replay_revisions
from dialogic.db import transaction
from dialogic.errors import EditRefused, LookupFailed
from dialogic.records import SpeakerTurn
from dialogic.store.derived import Change, current_tagger_version, propagate, tagger_inputs


@dataclass(frozen=True)
class CorrectionResult:
    revision_id: int
    kind: str
    before: tuple[EditUtterance, ...]
    after: tuple[EditUtterance, ...]
    retagged: tuple[str, ...]  # utterance ids tagged again
    tagger_model_version: str | None


@dataclass(frozen=True)
class PreparedReplay:
    """What a replay needs from the stored meeting, read before a run replaces its rows."""

    revisions: list[StoredRevision]
    stored_turns: list[SpeakerTurn]
    stored_speakers: dict[str, tuple]  # label → (participant_id, mapped_at, mapped_by)


# --- the transcript as rows -----------------------------------------------------------------


def load_transcript(con: duckdb.DuckDBPyConnection, meeting_id: str) -> Transcript:
    """The meeting's current utterances with their words, in meeting order."""
    rows = con.execute(
        """
        select u.utterance_id, u.speaker_label, u.revision_id, w.word, w.start_s, w.end_s, w.probability
        from utterances as u
        left join words as w on w.meeting_id = u.meeting_id and w.utterance_id = u.utterance_id
        where u.meeting_id = ?
        order by u.utterance_index, w.word_index
        """,
        [meeting_id],
    ).fetchall()
    utterances: dict[str, tuple[str | None, int | None, list[EditWord]]] = {}
    for uid, speaker, revision_id, word, start_s, end_s, probability in rows:
        entry = utterances.setdefault(uid, (speaker, revision_id, []))
        if word is not None:
            entry[2].append(EditWord(word, start_s, end_s, probability))
    empty = [uid for uid, (_, _, words) in utterances.items() if not words]
    if empty:
        raise EditRefused(
            f"meeting {meeting_id}: utterance {empty[0]} has no words with times; corrections need them "
            "(process the meeting again)"
        )
    return tuple(EditUtterance(uid, s, tuple(words), rid) for uid, (s, rid, words) in utterances.items())


def write_transcript(con: duckdb.DuckDBPyConnection, meeting_id: str, transcript: Transcript) -> None:
    """Replace the meeting's utterances and words with ``transcript``, indexes renumbered."""
    utterances = {k: [] for k in ("utterance_id", "utterance_index", "speaker_label", "start_s", "end_s", "text")}
    utterances["revision_id"] = []
    words = {k: [] for k in ("word_index", "utterance_id", "speaker_label", "start_s", "end_s", "word", "probability")}
    for index, u in enumerate(transcript):
        for key, value in (
            ("utterance_id", u.utterance_id),
            ("utterance_index", index),
            ("speaker_label", u.speaker_label),
            ("start_s", u.start_s),
            ("end_s", u.end_s),
            ("text", u.text),
            ("revision_id", u.revision_id),
        ):
            utterances[key].append(value)
        for w in u.words:
            words["word_index"].append(len(words["word_index"]))
            words["utterance_id"].append(u.utterance_id)
            words["speaker_label"].append(u.speaker_label)
            words["start_s"].append(w.start_s)
            words["end_s"].append(w.end_s)
            words["word"].append(w.word)
            words["probability"].append(w.probability)
    utterance_table = pa.table(
        {
            "utterance_id": pa.array(utterances["utterance_id"], pa.string()),
            "meeting_id": pa.array([meeting_id] * len(transcript), pa.string()),
            "utterance_index": pa.array(utterances["utterance_index"], pa.int32()),
            "speaker_label": pa.array(utterances["speaker_label"], pa.string()),
            "start_s": pa.array(utterances["start_s"], pa.float64()),
            "end_s": pa.array(utterances["end_s"], pa.float64()),
            "text": pa.array(utterances["text"], pa.string()),
            "revision_id": pa.array(utterances["revision_id"], pa.int64()),
        }
    )
    word_table = pa.table(
        {
            "meeting_id": pa.array([meeting_id] * len(words["word_index"]), pa.string()),
            "word_index": pa.array(words["word_index"], pa.int32()),
            "utterance_id": pa.array(words["utterance_id"], pa.string()),
            "speaker_label": pa.array(words["speaker_label"], pa.string()),
            "start_s": pa.array(words["start_s"], pa.float64()),
            "end_s": pa.array(words["end_s"], pa.float64()),
            "word": pa.array(words["word"], pa.string()),
            "probability": pa.array(words["probability"], pa.float64()),
        }
    )
    con.execute("delete from words where meeting_id = ?", [meeting_id])
    con.execute("delete from utterances where meeting_id = ?", [meeting_id])
    con.register("corrected_utterances", utterance_table)
    con.register("corrected_words", word_table)
    try:
        con.execute("insert into utterances by name select * from corrected_utterances")
        con.execute("insert into words by name select * from corrected_words")
    finally:
        con.unregister("corrected_utterances")
        con.unregister("corrected_words")


def snapshot(utterances: tuple[EditUtterance, ...]) -> list[dict]:
    """Utterances as JSON-ready dicts: id, speaker, words as [word, start_s, end_s, probability]."""
    return [
        {
            "utterance_id": u.utterance_id,
            "speaker_label": u.speaker_label,
            "words": [[w.word, w.start_s, w.end_s, w.probability] for w in u.words],
        }
        for u in utterances
    ]


def from_snapshot(data: str | list) -> tuple[EditUtterance, ...]:
    items = json.loads(data) if isinstance(data, str) else data
    return tuple(
        EditUtterance(item["utterance_id"], item["speaker_label"], tuple(EditWord(*w) for w in item["words"]))
        for item in items
    )


def utterance_version(speaker_label: str | None, text: str) -> str:
    """A short digest of what an editor saw of an utterance; a correction made on a page showing an
    older version is refused rather than applied to words the editor did not see."""
    return hashlib.sha256(f"{speaker_label}\0{text}".encode()).hexdigest()[:16]


# --- one correction ---------------------------------------------------------------------------


def speaker_labels(con: duckdb.DuckDBPyConnection, meeting_id: str) -> set[str]:
    """Every speaker the meeting has: diarised or created by a correction, with or without words."""
    return {
        r[0]
        for r in con.execute(
            "select speaker_label from speakers where meeting_id = ? union "
            "select speaker_label from utterances where meeting_id = ? and speaker_label is not null",
            [meeting_id, meeting_id],
        ).fetchall()
    }


def require_machine_transcript(con: duckdb.DuckDBPyConnection, meeting_id: str) -> None:
    """Corrections are of what the machine heard. A meeting imported from a human transcript has
    no machine transcript, no words and no diarisation: it is corrected in its source file and
    read again (`dialogic process` reads a changed transcript again)."""
    row = con.execute("select source from meetings where meeting_id = ?", [meeting_id]).fetchone()
    if row is None:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    if (row[0] or "audio") != "audio":
        raise EditRefused(
            f"meeting {meeting_id} was imported from a transcript: correct the transcript file and run "
            "`dialogic process` again"
        )


def correct(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    edit: Edit,
    editor: str,
    *,
    tagger=None,
    expected_versions: dict[str, str] | None = None,
) -> CorrectionResult:
    """Apply one correction in one transaction: append the revision, rewrite the transcript,
    re-tag the utterances it changed, refresh the word error rate and the meeting's facts.

    ``tagger``: the meeting's current tagger version (`current_tagger_version`), loaded by the
    caller; required when the meeting has tags, since tags of text that changed must not stay.
    ``expected_versions``: utterance id → `utterance_version` the editor saw; a mismatch (someone
    else changed it meanwhile) refuses the edit. Raises EditRefused or LookupFailed, changing
    nothing.
    """
    require_machine_transcript(con, meeting_id)
    version = current_tagger_version(con, meeting_id)
    if version is not None and (tagger is None or tagger.model_version != version):
        raise EditRefused(
            f"meeting {meeting_id} is tagged by {version}; the edited utterances must be tagged again by it, "
            "and it is not loaded"
        )
    with transaction(con):
        before = tagger_inputs(con, meeting_id)
        transcript = load_transcript(con, meeting_id)
        by_id = {u.utterance_id: u for u in transcript}
        for uid, seen in (expected_versions or {}).items():
            u = by_id.get(uid)
            if u is None or utterance_version(u.speaker_label, u.text) != seen:
                raise EditRefused(f"{uid} was changed by someone else since this page was loaded; reload it")
        edit = _checked_speakers(con, meeting_id, edit)
        revision_id = con.execute("select nextval('transcript_revisions_id_seq')").fetchone()[0]
        if isinstance(edit, Revert):
            edit, applied = _revert(con, meeting_id, transcript, edit, revision_id)
        else:
            applied = apply_edit(transcript, edit, revision_id=revision_id, id_prefix=f"{meeting_id}/r{revision_id}")
        write_transcript(con, meeting_id, applied.transcript)
        if isinstance(edit, Reassign) and edit.new_speaker:
            _add_speaker(con, meeting_id, edit.speaker_label, None)
        rename = _rename_of(edit)
        if rename:
            _rename_speaker_rows(con, meeting_id, *rename)
        labels = sorted({u.speaker_label for u in applied.before + applied.after if u.speaker_label})
        if rename:
            labels = sorted(set(labels) | set(rename))
        con.execute(
            """
            insert into transcript_revisions (revision_id, meeting_id, editor, edited_at, kind, target_ids, params,
                                              before, after, speaker_labels)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                revision_id,
                meeting_id,
                editor,
                dt.datetime.now(),
                edit.kind,
                target_ids(edit),
                json.dumps(edit_params(edit)),
                json.dumps(snapshot(applied.before)),
                json.dumps(snapshot(applied.after)),
                labels,
            ],
        )
        propagated = propagate(
            con, Change(meeting_id, "corrected", before), tagger=tagger if version else None, load_tagger=None
        )
    return CorrectionResult(revision_id, edit.kind, applied.before, applied.after, propagated.retagged, version)


def _rename_of(edit: Edit) -> tuple[str, str] | None:
    """(old name, new name) when the edit renames a speaker: a rename, or a revert of one."""
    if isinstance(edit, RenameSpeaker):
        return edit.speaker_label, edit.new_label
    if isinstance(edit, Revert) and edit.rename_from and edit.rename_to:
        return edit.rename_from, edit.rename_to
    return None


def reverted_revisions(con: duckdb.DuckDBPyConnection, meeting_id: str) -> dict[int, int]:
    """Revision → the revert revision that undid it, for the meeting's reverts in effect that
    are not themselves undone (a revert's revert puts the correction back)."""
    reverts = [
        (rid, json.loads(params)["revision_id"])
        for rid, params in con.execute(
            "select revision_id, params from transcript_revision_status "
            "where meeting_id = ? and kind = 'revert' and in_effect order by revision_id desc",
            [meeting_id],
        ).fetchall()
    ]
    undone: dict[int, int] = {}
    for rid, target in reverts:  # newest first: a revert that was itself undone undoes nothing
        if rid not in undone:
            undone[target] = rid
    return undone


def _revert(con, meeting_id: str, transcript: Transcript, edit: Revert, revision_id: int):
    row = con.execute(
        "select kind, params, after, in_effect from transcript_revision_status where meeting_id = ? and revision_id = ?",
        [meeting_id, edit.revision_id],
    ).fetchone()
    if row is None:
        raise LookupFailed(f"meeting {meeting_id} has no correction {edit.revision_id}")
    kind, params, after, in_effect = row
    if not in_effect:
        raise EditRefused(f"correction {edit.revision_id} is not in effect (a re-run could not replay it)")
    if edit.revision_id in reverted_revisions(con, meeting_id):
        raise EditRefused(f"correction {edit.revision_id} is undone already")
    before = con.execute(
        "select before from transcript_revision_status where revision_id = ?", [edit.revision_id]
    ).fetchone()[0]
    stored = edit_from_params(kind, json.loads(params))
    undone = _rename_of(stored)
    edit = Revert(edit.revision_id, *(reversed(undone) if undone else (None, None)))
    if undone and edit.rename_to in speaker_labels(con, meeting_id) - {edit.rename_from}:
        raise EditRefused(
            f"correction {edit.revision_id} cannot be undone: a speaker is called {edit.rename_to!r} again"
        )
    applied = apply_revert(
        transcript,
        from_snapshot(before),
        from_snapshot(after),
        revision_id=revision_id,
        label=f"correction {edit.revision_id}",
    )
    return edit, applied


def _checked_speakers(con, meeting_id: str, edit: Edit) -> Edit:
    known = speaker_labels(con, meeting_id)
    if isinstance(edit, Reassign):
        if edit.speaker_label in known:
            return Reassign(edit.utterance_id, edit.speaker_label, edit.from_word, edit.to_word, False)
        check_new_speaker_name(edit.speaker_label)
        return Reassign(edit.utterance_id, edit.speaker_label, edit.from_word, edit.to_word, True)
    if isinstance(edit, RenameSpeaker):
        if edit.speaker_label not in known:
            raise EditRefused(f"meeting {meeting_id}: no speaker {edit.speaker_label!r}")
        if edit.new_label in known:
            raise EditRefused(
                f"meeting {meeting_id}: a speaker is called {edit.new_label!r} already (to fold one speaker into "
                "another, merge them on the speakers page)"
            )
        check_new_speaker_name(edit.new_label)
    return edit


def _add_speaker(con, meeting_id: str, label: str, mapping: tuple | None) -> None:
    # A speaker a correction created has no diarised speech: speech_s and longest_turn_s are 0.
    participant_id, mapped_at, mapped_by = mapping or (None, None, None)
    con.execute(
        "insert into speakers (meeting_id, speaker_label, participant_id, speech_s, mapped_at, mapped_by, "
        "embedding, longest_turn_s, doubtful) values (?, ?, ?, 0.0, ?, ?, null, 0.0, false)",
        [meeting_id, label, participant_id, mapped_at, mapped_by],
    )


def _rename_speaker_rows(con, meeting_id: str, old: str, new: str) -> None:
    for table in ("speakers", "turns"):
        con.execute(
            f"update {table} set speaker_label = ? where meeting_id = ? and speaker_label = ?", [new, meeting_id, old]
        )


def changed_utterances(
    before: tuple[EditUtterance, ...], after: tuple[EditUtterance, ...]
) -> tuple[list[str], list[str]]:
    """(ids of utterances whose text or speaker changed, or that are new; ids that are gone)."""
    old = {u.utterance_id: (u.speaker_label, u.text) for u in before}
    changed = [u.utterance_id for u in after if old.get(u.utterance_id) != (u.speaker_label, u.text)]
    kept = {u.utterance_id for u in after}
    return changed, [uid for uid in old if uid not in kept]


# --- word error rate --------------------------------------------------------------------------


# --- replay after a re-run --------------------------------------------------------------------


def prepare_replay(con: duckdb.DuckDBPyConnection, meeting_id: str) -> PreparedReplay | None:
    """The meeting's revisions in effect and the stored diarisation, read before a run replaces
    them; None when nothing was corrected."""
    rows = con.execute(
        "select revision_id, kind, params, before from transcript_revision_status "
        "where meeting_id = ? and in_effect order by revision_id",
        [meeting_id],
    ).fetchall()
    if not rows:
        return None
    revisions = [
        StoredRevision(rid, edit_from_params(kind, json.loads(params)), from_snapshot(before))
        for rid, kind, params, before in rows
    ]
    turns = [
        SpeakerTurn(label, start_s, end_s)
        for label, start_s, end_s in con.execute(
            "select speaker_label, start_s, end_s from turns where meeting_id = ? and track = 'overlap'", [meeting_id]
        ).fetchall()
    ]
    speakers = {
        label: (pid, mapped_at, mapped_by)
        for label, pid, mapped_at, mapped_by in con.execute(
            "select speaker_label, participant_id, mapped_at, mapped_by from speakers where meeting_id = ?",
            [meeting_id],
        ).fetchall()
    }
    return PreparedReplay(revisions, turns, speakers)


def replay_corrections(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    prepared: PreparedReplay,
    new_turns: list[SpeakerTurn],
    new_labels: set[str],
    *,
    run_id: str,
) -> ReplayResult:
    """Replay the prepared revisions onto the machine transcript a run just stored (inside its
    transaction), record each one's outcome, and bring speakers in line: renamed speakers take
    their names (with their rows and turns), and speakers a correction created come back (with
    their mapping, if their participant is still in the manifest). The caller then propagates
    the change (`dialogic.store.derived.propagate`): the utterances the replay changed are tagged
    again."""
    from dialogic.voices import match_voices

    machine = load_transcript(con, meeting_id)
    result = replay_revisions(
        machine,
        prepared.revisions,
        match_voices(prepared.stored_turns, new_turns),
        new_labels,
        id_prefix_of=lambda revision_id: f"{meeting_id}/r{revision_id}",
    )
    write_transcript(con, meeting_id, result.transcript)
    for old, new in result.renames:
        _rename_speaker_rows(con, meeting_id, old, new)
    existing = {
        r[0] for r in con.execute("select speaker_label from speakers where meeting_id = ?", [meeting_id]).fetchall()
    }
    participants = {
        r[0]
        for r in con.execute("select participant_id from participants where meeting_id = ?", [meeting_id]).fetchall()
    }
    for label in sorted(result.created - existing):
        if label in {u.speaker_label for u in result.transcript}:
            stored = prepared.stored_speakers.get(label)
            _add_speaker(con, meeting_id, label, stored if stored and stored[0] in participants else None)
    now = dt.datetime.now()
    con.executemany(
        "insert into transcript_revision_replays (run_id, meeting_id, revision_id, replayed, reason, params, before, "
        "replayed_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                meeting_id,
                o.revision_id,
                o.replayed,
                o.reason,
                json.dumps(edit_params(o.edit)) if o.edit else None,
                json.dumps(snapshot(o.before)) if o.replayed else None,
                now,
            ]
            for o in result.outcomes
        ],
    )
    return result


# --- consent withdrawal -----------------------------------------------------------------------


def withdraw_corrections(con: duckdb.DuckDBPyConnection, meeting_id: str, labels: list[str]) -> dict[str, int]:
    """Before a participant's speech (speakers ``labels``) is deleted: delete every machine word and
    utterance that was theirs or heard at the same time as their current words, and every revision
    (with its replays) that ever touched an utterance of theirs — followed through splits and
    merges — since revisions hold the words. Inside the caller's transaction; returns rows deleted
    per table."""
    removed: dict[str, int] = {}
    overlapping_words = """
        select mw.meeting_id, mw.word_index, mw.utterance_id from machine_words as mw
        where mw.meeting_id = $meeting and (
            list_contains($labels, mw.speaker_label)
            or exists (
                select 1 from words as w
                where w.meeting_id = mw.meeting_id and list_contains($labels, w.speaker_label)
                  and ((w.start_s < mw.end_s and mw.start_s < w.end_s)
                       or (w.start_s = w.end_s and w.start_s between mw.start_s and mw.end_s)
                       or (mw.start_s = mw.end_s and mw.start_s between w.start_s and w.end_s))
            )
        )
    """
    params = {"meeting": meeting_id, "labels": labels}
    machine_ids = {r[2] for r in con.execute(overlapping_words, params).fetchall()}
    machine_ids |= {
        r[0]
        for r in con.execute(
            "select utterance_id from machine_utterances where meeting_id = ? and list_contains(?, speaker_label)",
            [meeting_id, labels],
        ).fetchall()
    }
    tainted_ids = machine_ids | {
        r[0]
        for r in con.execute(
            "select utterance_id from utterances where meeting_id = ? and list_contains(?, speaker_label)",
            [meeting_id, labels],
        ).fetchall()
    }
    revisions = {}
    for rid, before, after, replay_befores in con.execute(
        """
        select r.revision_id, r.before, r.after, list(p.before) filter (where p.before is not null)
        from transcript_revisions as r left join transcript_revision_replays as p on p.revision_id = r.revision_id
        where r.meeting_id = ? group by all
        """,
        [meeting_id],
    ).fetchall():
        items = json.loads(before) + json.loads(after) + [i for b in replay_befores or [] for i in json.loads(b)]
        revisions[rid] = ({i["utterance_id"] for i in items}, {i["speaker_label"] for i in items})
    tainted_revisions: set[int] = set()
    while True:  # follow splits and merges: a tainted revision taints every utterance it names
        grown = {
            rid
            for rid, (ids, speakers) in revisions.items()
            if rid not in tainted_revisions and (ids & tainted_ids or speakers & set(labels))
        }
        if not grown:
            break
        tainted_revisions |= grown
        for rid in grown:
            tainted_ids |= revisions[rid][0]
    machine_ids = list(machine_ids)
    for table, where, args in (
        ("machine_words", "meeting_id = ? and list_contains(?, utterance_id)", [meeting_id, machine_ids]),
        ("machine_utterances", "meeting_id = ? and list_contains(?, utterance_id)", [meeting_id, machine_ids]),
        ("transcript_revision_replays", "list_contains(?, revision_id)", [sorted(tainted_revisions)]),
        ("transcript_revisions", "list_contains(?, revision_id)", [sorted(tainted_revisions)]),
    ):
        n = con.execute(f"select count(*) from {table} where {where}", args).fetchone()[0]
        if n:
            con.execute(f"delete from {table} where {where}", args)
            removed[table] = n
    return removed
