"""Write one processed meeting into DuckDB: its rows, tags, facts and run record in one transaction.

`store_meeting` writes a meeting processed from audio (words, diarised turns, speakers with their
voices); `store_imported_meeting` one whose utterances come from an imported human transcript
(utterances and speakers only: no words, turns or voices, and no times when the transcript has
none).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dialogic.corrections.replay import ReplayResult
from dialogic.db import transaction
from dialogic.manifest import MeetingSpec
from dialogic.records import (
    AttributedWord,
    AudioSummary,
    DecodedAudio,
    Diarisation,
    ImportedUtterance,
    MappingChange,
    SpeakerTurn,
    TaggerRecord,
    Utterance,
)
from dialogic.store.corrections import prepare_replay, replay_corrections
from dialogic.store.derived import Change, Propagated, TaggerInputs, propagate, tagger_inputs
from dialogic.voices import StoredSpeaker, carry_mappings, doubtful_speakers, longest_turn_s, shared_speech_s

_DERIVED = ("words", "utterances", "turns")
_MACHINE = ("machine_words", "machine_utterances")


@dataclass(frozen=True)
class StoredMeeting:
    """What storing a meeting changed beyond its rows: mappings carried to other labels, the
    transcript corrections replayed onto the new transcript (None: the meeting had none), and
    what the change rule tagged again or left untagged (`dialogic.store.derived.propagate`)."""

    mapping_changes: list[MappingChange]
    replay: ReplayResult | None = None
    propagated: Propagated | None = None
    tagged: bool = False  # the store wrote the run's own tags

    @property
    def replay_note(self) -> str | None:
        """A line for the run's reason when corrections could not be replayed."""
        return _replay_note(self.replay)

    @property
    def tag_failure(self) -> str | None:
        """The run's reason when utterances that had to be tagged again could not be: the run
        is recorded as failed, and the next run tags what is missing. A run that wrote no tags
        of its own is not failed by it (its changed utterances are left untagged, as a mapping
        leaves them when the tagger cannot be loaded)."""
        return _tag_failure(self.propagated, self.tagged)


def _tag_failure(propagated: Propagated | None, tagged: bool) -> str | None:
    if propagated is None or not propagated.untagged or not tagged:
        return None
    return f"tag: {propagated.note} (re-run to tag)"


def _replay_note(replay: ReplayResult | None) -> str | None:
    if replay is None or not replay.not_replayed:
        return None
    return (
        f"{len(replay.not_replayed)} of {len(replay.outcomes)} transcript corrections no longer fit the new "
        "transcript and were not replayed (view transcript_revisions_not_replayed)"
    )


def utterance_id(meeting_id: str, index: int) -> str:
    return f"{meeting_id}/u{index:05d}"


def stored_processing_key(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str | None:
    row = con.execute("select processing_key from meetings where meeting_id = ?", [meeting_id]).fetchone()
    return row[0] if row else None


def upsert_meeting_record(con: duckdb.DuckDBPyConnection, meeting: MeetingSpec, manifest_path: str | None) -> None:
    """Meeting metadata and participants from the manifest (kept even when processing fails)."""
    with transaction(con):
        before = tagger_inputs(con, meeting.id)
        _write_meeting_metadata(con, meeting, manifest_path)
        propagate(con, Change(meeting.id, "manifest", before))  # roles may have changed in the manifest


def _write_meeting_metadata(con, meeting: MeetingSpec, manifest_path: str | None) -> None:
    con.execute(
        """
        insert into meetings (meeting_id, audio_path, transcript_path, source, recorded_on, site, consent_status,
                              consent_scope, consent_reference, manifest_path)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (meeting_id) do update set
            audio_path = excluded.audio_path, transcript_path = excluded.transcript_path, source = excluded.source,
            recorded_on = excluded.recorded_on, site = excluded.site,
            consent_status = excluded.consent_status, consent_scope = excluded.consent_scope,
            consent_reference = excluded.consent_reference, manifest_path = excluded.manifest_path
        """,
        [
            meeting.id,
            None if meeting.audio is None else str(meeting.audio),
            None if meeting.transcript is None else str(meeting.transcript),
            meeting.source,
            meeting.recorded_on,
            meeting.site,
            meeting.consent.status,
            list(meeting.consent.scope),
            meeting.consent.reference,
            manifest_path,
        ],
    )
    con.execute("delete from participants where meeting_id = ?", [meeting.id])
    # A participant who withdrew stays out, whatever the manifest still lists.
    withdrawn = set(withdrawn_participants(con, meeting.id))
    kept = [p for p in meeting.participants if p.id not in withdrawn]
    if kept:
        con.executemany(
            "insert into participants (meeting_id, participant_id, role, pseudonym, relation, profession, person_id) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [[meeting.id, p.id, p.role, p.pseudonym, p.relation, p.profession, p.person] for p in kept],
        )


def withdrawn_participants(con: duckdb.DuckDBPyConnection, meeting_id: str) -> list[str]:
    """The participants of a stored meeting whose speech was withdrawn (`dialogic consent withdraw`)."""
    row = con.execute("select withdrawn_participants from meetings where meeting_id = ?", [meeting_id]).fetchone()
    return list(row[0] or []) if row else []


@dataclass(frozen=True)
class StoredVoices:
    """A meeting's stored speakers and overlap-aware turns: what a re-run needs to carry the
    speaker → participant mappings to the new speakers. Plain data, so a worker process that never
    opens the database can be given a copy."""

    speakers: list[StoredSpeaker]
    turns: list[SpeakerTurn]


def read_stored_voices(con: duckdb.DuckDBPyConnection, meeting_id: str) -> StoredVoices:
    """The stored speakers (with their mappings and voice embeddings) and turns of one meeting."""
    speakers = [
        StoredSpeaker(label, pid, mapped_at, mapped_by, embedding)
        for label, pid, mapped_at, mapped_by, embedding in con.execute(
            "select speaker_label, participant_id, mapped_at, mapped_by, embedding from speakers where meeting_id = ?",
            [meeting_id],
        ).fetchall()
    ]
    turns = [
        SpeakerTurn(label, start_s, end_s)
        for label, start_s, end_s in con.execute(
            "select speaker_label, start_s, end_s from turns where meeting_id = ? and track = 'overlap'", [meeting_id]
        ).fetchall()
    ]
    return StoredVoices(speakers, turns)


def carried_mapping(
    con: duckdb.DuckDBPyConnection | None,
    meeting: MeetingSpec,
    diarisation: Diarisation,
    voices: StoredVoices | None = None,
) -> tuple[dict[str, StoredSpeaker], list[MappingChange]]:
    """The stored mappings a re-run carries, each to the new speaker with the same voice — the one
    speaking where the stored speaker spoke (`dialogic.voices.carry_mappings`): new label → stored
    speaker, and every change. ``voices``: a copy read earlier (`read_stored_voices`); without it
    they are read from ``con``."""
    if voices is None:
        voices = read_stored_voices(con, meeting.id)
    return carry_mappings(voices.speakers, voices.turns, diarisation, {p.id for p in meeting.participants})


def store_meeting(
    con: duckdb.DuckDBPyConnection,
    meeting: MeetingSpec,
    audio: DecodedAudio | AudioSummary,
    diarisation: Diarisation,
    words: list[AttributedWord],
    utterances: list[Utterance],
    processing_key: str,
    manifest_path: str | None = None,
    *,
    tags: tuple | None = None,
    run: dict | None = None,
    language: str | None = None,
    language_probability: float | None = None,
    warnings: list[str] | None = None,
    tag_roles: list[str | None] | None = None,
    load_tagger: Callable[[str], object] | None = None,
) -> StoredMeeting:
    """Replace the meeting's derived rows atomically, with its analytics facts refreshed once.

    Speaker → participant mappings follow voices: each goes to the new speaker with the same voice
    (`carried_mapping`), and every mapping kept, moved or dropped is written to
    ``speaker_mapping_changes``. ``tags``: ``(tagger, rows)``
    from `dialogic.tagging.tag_store.predict_tag_rows`, written in the same transaction. ``run``:
    `record_run` keyword arguments, so the run is recorded with the rows it produced or not at all.

    The rows are also kept as the machine's (``machine_utterances``, ``machine_words``), and the
    meeting's transcript corrections are replayed onto them where they still fit
    (`dialogic.store.corrections.replay_corrections`); the utterances the replay changed are
    tagged again (`dialogic.store.derived.propagate`), and the run's reason says how many
    corrections did not fit.
    ``audio``: only its ``sha256`` and ``duration_s`` are stored (a worker's staged meeting carries
    no samples).

    ``tag_roles``: the speaker role each utterance's tags were read with, in order (a meeting
    computed before its speakers' stored mappings changed was tagged with the roles of then); where
    it differs from the role stored now, the change rule tags the utterance again, as for any
    other change. ``load_tagger``: loads the tags' version when something must be tagged again and
    ``tags`` holds only the tagger's record (None: such utterances are left untagged, and the
    run's reason says so).
    """
    mid = meeting.id
    # build_utterances keeps every word, in order, so utterance ids line up with the word list.
    word_utterance = [utterance_id(mid, u.index) for u in utterances for _ in u.words]
    if len(word_utterance) != len(words):
        raise ValueError(f"meeting {mid}: {len(words)} words but utterances hold {len(word_utterance)}")
    utterances_table, words_table = _utterances_table(mid, utterances), _words_table(mid, words, word_utterance)
    tables = {
        "turns": _turns_table(mid, diarisation),
        "utterances": utterances_table,
        "words": words_table,
        "machine_utterances": utterances_table,
        "machine_words": words_table,
    }
    with transaction(con):
        _write_meeting_metadata(con, meeting, manifest_path)
        carried, changes = carried_mapping(con, meeting, diarisation)
        prepared = prepare_replay(con, mid)  # read before the stored rows go
        doubtful = doubtful_speakers(diarisation)
        speakers = [
            _Speaker(
                label,
                carried.get(label),
                round(diarisation.speech_s(label), 3),
                round(longest_turn_s(diarisation, label), 3),
                list(diarisation.embeddings[label]) if label in diarisation.embeddings else None,
                label in doubtful,
            )
            for label in diarisation.speakers
        ]
        _replace_rows(con, mid, tables, speakers, changes, run)
        con.execute(
            "update meetings set audio_sha256 = ?, duration_s = ?, processing_key = ?, processed_at = ?, language = ?, "
            "language_probability = ?, audio_warnings = ?, transcript_sha256 = null, transcript_warnings = null, "
            "timed = true where meeting_id = ?",
            [
                audio.sha256,
                round(audio.duration_s, 3),
                processing_key,
                dt.datetime.now(),
                language,
                language_probability,
                list(warnings or []),
                mid,
            ],
        )
        _write_tags(con, mid, tags)
        before = _tagged_with(tagger_inputs(con, mid), tag_roles)  # what the new tags were computed on
        replay = None
        if prepared is not None:
            run_id = (run or {}).get("run_id", "manual")
            replay = replay_corrections(con, mid, prepared, diarisation.turns, set(diarisation.speakers), run_id=run_id)
            if _replay_note(replay) and run is not None:
                run = run | {"reason": "; ".join(filter(None, [run.get("reason"), _replay_note(replay)]))}
        propagated = _propagate_and_record(con, mid, before, tags, run, load_tagger)
    return StoredMeeting(changes, replay, propagated, tagged=tags is not None)


def _tagged_with(stored: TaggerInputs, roles: list[str | None] | None) -> TaggerInputs:
    """The stored inputs with each utterance's role replaced by the one its tags were read with."""
    if roles is None:
        return stored
    if len(roles) != len(stored):
        raise ValueError(f"{len(roles)} tag roles for {len(stored)} utterances")
    return {uid: (text, speaker, role) for (uid, (text, speaker, _)), role in zip(stored.items(), roles)}


@dataclass(frozen=True)
class _Speaker:
    """One ``speakers`` row of a store: its label, carried mapping and measures."""

    label: str
    mapping: StoredSpeaker | None
    speech_s: float | None
    longest_turn_s: float | None
    embedding: list[float] | None = None
    doubtful: bool = False


def _replace_rows(
    con,
    mid: str,
    tables: dict[str, pa.Table],
    speakers: list[_Speaker],
    changes: list[MappingChange],
    run: dict | None,
) -> None:
    """Inside a store's transaction: the meeting's derived rows, machine copy and speakers are
    replaced by ``tables`` (table name → rows) and ``speakers``; the mapping changes are logged."""
    for table in _DERIVED + _MACHINE:
        con.execute(f"delete from {table} where meeting_id = ?", [mid])
    con.execute("delete from speakers where meeting_id = ?", [mid])
    for table, rows in tables.items():
        con.register("_new_rows", rows)
        try:
            con.execute(f"insert into {table} by name select * from _new_rows")
        finally:
            con.unregister("_new_rows")
    if speakers:
        con.executemany(
            "insert into speakers (meeting_id, speaker_label, participant_id, speech_s, mapped_at, mapped_by, "
            "embedding, longest_turn_s, doubtful) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [mid, s.label, s.mapping and s.mapping.participant_id, s.speech_s]
                + [s.mapping and s.mapping.mapped_at, s.mapping and s.mapping.mapped_by]
                + [s.embedding, s.longest_turn_s, s.doubtful]
                for s in speakers
            ],
        )
    if changes:
        run_id = (run or {}).get("run_id", "manual")
        con.executemany(
            "insert into speaker_mapping_changes (run_id, meeting_id, participant_id, from_label, to_label, action, "
            "similarity, reason) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [run_id, mid, c.participant_id, c.from_label, c.to_label, c.action, c.similarity, c.reason]
                for c in changes
            ],
        )


def _write_tags(con, mid: str, tags: tuple | None) -> None:
    if tags is not None:
        from dialogic.store.tags import write_tag_rows

        tagger, tag_rows = tags
        write_tag_rows(con, mid, tagger, tag_rows)


def _propagate_and_record(
    con, mid: str, before: TaggerInputs, tags: tuple | None, run: dict | None, load_tagger=None
) -> Propagated:
    """The end of a store, inside its transaction: what follows the change (facts; tags of what a
    replay or a role changed since tagging changed), then the run record, whose reason says what
    could not be tagged again. A tagger's record (a staged meeting's) cannot tag: ``load_tagger``
    loads its version if something must be tagged (None: nothing is loaded)."""
    change = Change(mid, "stored", before, tagger_registered=tags is not None)
    loaded = tags[0] if tags is not None and not isinstance(tags[0], TaggerRecord) else None
    propagated = propagate(con, change, tagger=loaded, load_tagger=load_tagger)
    if run is not None:
        failure = _tag_failure(propagated, tagged=tags is not None)
        if failure:  # a failed run: the next run of the batch tags what is missing
            run = run | {"status": "failed", "reason": "; ".join(filter(None, [run.get("reason"), failure]))}
        record_run(con, **run)
    return propagated


def _words_table(mid: str, words: list[AttributedWord], word_utterance: list[str]) -> pa.Table:
    return pa.table(
        {
            "meeting_id": [mid] * len(words),
            "word_index": list(range(len(words))),
            "utterance_id": word_utterance,
            "speaker_label": [w.speaker for w in words],
            "start_s": [w.word.start_s for w in words],
            "end_s": [w.word.end_s for w in words],
            "word": [w.word.word for w in words],
            "probability": [w.word.probability for w in words],
        },
        schema=pa.schema(
            [
                ("meeting_id", pa.string()),
                ("word_index", pa.int32()),
                ("utterance_id", pa.string()),
                ("speaker_label", pa.string()),
                ("start_s", pa.float64()),
                ("end_s", pa.float64()),
                ("word", pa.string()),
                ("probability", pa.float64()),
            ]
        ),
    )


def _turns_table(mid: str, diarisation: Diarisation) -> pa.Table:
    turn_rows = [("overlap", i, t) for i, t in enumerate(diarisation.turns)] + [
        ("exclusive", i, t) for i, t in enumerate(diarisation.exclusive_turns)
    ]
    return pa.table(
        {
            "meeting_id": [mid] * len(turn_rows),
            "track": [r[0] for r in turn_rows],
            "turn_index": [r[1] for r in turn_rows],
            "speaker_label": [r[2].speaker for r in turn_rows],
            "start_s": [r[2].start_s for r in turn_rows],
            "end_s": [r[2].end_s for r in turn_rows],
        },
        schema=pa.schema(
            [
                ("meeting_id", pa.string()),
                ("track", pa.string()),
                ("turn_index", pa.int32()),
                ("speaker_label", pa.string()),
                ("start_s", pa.float64()),
                ("end_s", pa.float64()),
            ]
        ),
    )


def _utterances_table(mid: str, utterances: list[Utterance] | list[ImportedUtterance]) -> pa.Table:
    return pa.table(
        {
            "utterance_id": [utterance_id(mid, u.index) for u in utterances],
            "meeting_id": [mid] * len(utterances),
            "utterance_index": [u.index for u in utterances],
            "speaker_label": [u.speaker for u in utterances],
            "start_s": [u.start_s for u in utterances],
            "end_s": [u.end_s for u in utterances],
            "text": [u.text for u in utterances],
            # an imported transcript's speakers come from its author: no diarisation confidence
            "speaker_confidence": [getattr(u, "speaker_confidence", None) for u in utterances],
        },
        schema=pa.schema(
            [
                ("utterance_id", pa.string()),
                ("meeting_id", pa.string()),
                ("utterance_index", pa.int32()),
                ("speaker_label", pa.string()),
                ("start_s", pa.float64()),
                ("end_s", pa.float64()),
                ("text", pa.string()),
                ("speaker_confidence", pa.float64()),
            ]
        ),
    )


# Who mapped a speaker whose transcript name matched a participant (speakers.mapped_by).
NAME_MATCH = "transcript name"


def store_imported_meeting(
    con: duckdb.DuckDBPyConnection,
    meeting: MeetingSpec,
    utterances: list[ImportedUtterance],
    speakers: dict[str, StoredSpeaker],
    processing_key: str,
    manifest_path: str | None = None,
    *,
    timed: bool,
    transcript_sha256: str,
    audio: DecodedAudio | None = None,
    mapping_changes: list[MappingChange] | None = None,
    tags: tuple | None = None,
    run: dict | None = None,
    language: str | None = None,
    audio_warnings: list[str] | None = None,
    transcript_warnings: list[str] | None = None,
) -> None:
    """Replace the meeting's derived rows with an imported transcript's, atomically, with its
    analytics facts refreshed once.

    ``speakers``: each label's mapping (`dialogic.compute.imported_speaker_mapping`). A speaker's ``speech_s`` is
    the union of its utterances' spans (null without times); it has no voice embedding and is
    never doubtful (a person named it). The meeting keeps no words and no diarised turns; its
    duration is the recording's when there is one, else unknown. ``tags`` and ``run`` as for
    `store_meeting`.
    """
    mid = meeting.id
    spans: dict[str, list[SpeakerTurn]] = {label: [] for label in speakers}
    for u in utterances:
        if timed:
            spans[u.speaker].append(SpeakerTurn(u.speaker, u.start_s, u.end_s))
    rows = [
        _Speaker(
            label,
            s,
            round(shared_speech_s(spans[label], spans[label]), 3) if timed else None,
            round(max(t.end_s - t.start_s for t in spans[label]), 3) if timed else None,
        )
        for label, s in speakers.items()
    ]
    with transaction(con):
        _write_meeting_metadata(con, meeting, manifest_path)
        # An imported transcript has no machine transcript: none is kept from an earlier audio run.
        _replace_rows(con, mid, {"utterances": _utterances_table(mid, utterances)}, rows, mapping_changes or [], run)
        con.execute(
            "update meetings set audio_sha256 = ?, transcript_sha256 = ?, duration_s = ?, processing_key = ?, "
            "processed_at = ?, language = ?, language_probability = null, audio_warnings = ?, "
            "transcript_warnings = ?, timed = ? where meeting_id = ?",
            [
                None if audio is None else audio.sha256,
                transcript_sha256,
                None if audio is None else round(audio.duration_s, 3),
                processing_key,
                dt.datetime.now(),
                language,
                list(audio_warnings or []),
                list(transcript_warnings or []),
                timed,
                mid,
            ],
        )
        _write_tags(con, mid, tags)
        _propagate_and_record(con, mid, tagger_inputs(con, mid), tags, run)


def record_run(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    meeting_id: str,
    status: str,
    started_at: dt.datetime,
    reason: str | None = None,
    audio_sha256: str | None = None,
    transcript_sha256: str | None = None,
    processing_key: str | None = None,
    asr_model: str | None = None,
    diarisation_model: str | None = None,
    models: list[dict] | None = None,
    options: dict | None = None,
    timings_s: dict | None = None,
) -> None:
    from dialogic import __version__

    con.execute(
        """
        insert into pipeline_runs (run_id, meeting_id, audio_sha256, transcript_sha256, processing_key, status, reason,
                                   asr_model, diarisation_model, models, options, timings_s, started_at, finished_at,
                                   dialogic_version)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            run_id,
            meeting_id,
            audio_sha256,
            transcript_sha256,
            processing_key,
            status,
            reason,
            asr_model,
            diarisation_model,
            json.dumps(models or []),
            json.dumps(options or {}),
            json.dumps(timings_s or {}),
            started_at,
            dt.datetime.now(),
            __version__,
        ],
    )
