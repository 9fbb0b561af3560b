"""One meeting end to end, and a batch over a manifest: the library behind `dialogic process` and
the Prefect flows.

A run is a list of named stages (`STAGES`), each a function of the meeting's `MeetingRun`:

    consent → hash (a stored, unchanged meeting stops here) → read-transcript → decode
    → transcribe-and-diarise → align → tag → store (rows, tags, facts and the run record in one
    transaction)

Each stage runs for the meeting sources it names (`Stage.sources`): a meeting from audio is
decoded, transcribed, diarised and aligned; one with an imported human transcript has it read
and its speakers matched to participants by name, and is decoded only when it also gives its
recording (for the duration and the review app's clips: the human transcript is the text).

`run_meeting` is the one orchestration: it calls each stage through ``call`` (directly here; as a
Prefect task, with retries on I/O errors, in ``flows/``), reports through one progress hook,
turns a failure into a failed `MeetingResult` and records every run. This module never prints.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from dialogic.align import align_words_to_speakers, build_utterances, speaker_confidence
from dialogic.asr_worker import submit_transcription
from dialogic.audio import audio_sha256, audio_warnings, decode_audio
from dialogic.consent import withdraw_meeting
from dialogic.db import connect
from dialogic.diarisation.diarise import diarisation_model_records, diarise_audio
from dialogic.errors import ConsentError, DialogicError, TranscriptError
from dialogic.files import sha256_file
from dialogic.manifest import Manifest, MeetingSpec, check_consent
from dialogic.options import PipelineOptions
from dialogic.records import (
    AttributedWord,
    AudioSummary,
    BatchReport,
    DecodedAudio,
    Diarisation,
    ImportedTranscript,
    ImportedUtterance,
    MappingChange,
    MeetingResult,
    Transcript,
    Utterance,
)
from dialogic.store.meetings import (
    NAME_MATCH,
    StoredVoices,
    carried_mapping,
    imported_speaker_mapping,
    record_run,
    store_imported_meeting,
    store_meeting,
    stored_processing_key,
    upsert_meeting_record,
    utterance_id,
    withdrawn_participants,
)
from dialogic.transcribe import ASR_DECODING, resolve_asr_model, transcribe_audio
from dialogic.voices import StoredSpeaker, shared_speech_s


class Progress(Protocol):
    """The one progress hook: called as each stage starts (``completed``/``total`` None), and by
    long stages with how far they are, in the stage's own units (e.g. seconds of audio)."""

    def __call__(
        self, meeting_id: str, stage: str, *, completed: float | None = None, total: float | None = None
    ) -> None: ...


def no_progress(meeting_id: str, stage: str, *, completed: float | None = None, total: float | None = None) -> None:
    """A progress hook that reports nothing."""


@dataclass
class MeetingRun:
    """One meeting on its way through the stages: what they need and what each leaves behind."""

    con: duckdb.DuckDBPyConnection | None  # None on a worker process, which never opens the database
    meeting: MeetingSpec
    options: PipelineOptions = field(default_factory=PipelineOptions)
    manifest_path: str | None = None
    progress: Progress = no_progress
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    status: str = "processing"  # → skipped | unchanged | processed | failed
    reason: str | None = None
    stage: str | None = None
    sha256: str | None = None
    models: list[dict] | None = None
    key: str | None = None
    stored_voices: StoredVoices | None = None  # given to a worker: the stored mappings its tags' roles follow
    audio: DecodedAudio | AudioSummary | None = None
    transcript: Transcript | None = None
    diarisation: Diarisation | None = None
    words: list[AttributedWord] | None = None
    utterances: list[Utterance] | list[ImportedUtterance] | None = None
    transcript_sha256: str | None = None  # of an imported transcript
    imported: ImportedTranscript | None = None
    speakers: dict[str, StoredSpeaker] | None = None  # an imported transcript's labels → their mappings
    transcript_warnings: list[str] = field(default_factory=list)  # unmatched names, cues with two speakers
    tags: tuple | None = None  # (tagger, rows) predicted before storing
    tag_rows: int = 0
    tag_failure: str | None = None  # tagging failed; the rest is stored and a re-run tags it
    stored: bool = False
    mapping_changes: list[MappingChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # doubts about the recording (see audio_warnings)
    timings_s: dict[str, float] = field(default_factory=dict)
    clock_s: float = field(default_factory=time.perf_counter)  # when the run began, for its wall time

    def run_record(self) -> dict:
        """`record_run` keyword arguments for this run as it stands."""
        processed = self.status in ("processing", "processed") or self.tag_failure is not None
        from_audio = self.meeting.transcript is None  # an import runs neither ASR nor diarisation
        return dict(
            run_id=self.run_id,
            meeting_id=self.meeting.id,
            status="processed" if self.status == "processing" else self.status,
            reason=self.reason,
            started_at=self.started_at,
            audio_sha256=self.sha256,
            transcript_sha256=self.transcript_sha256,
            processing_key=self.key,
            asr_model=self.options.transcription.model if processed and from_audio else None,
            diarisation_model=self.options.diarisation.pipeline if processed and from_audio else None,
            models=self.models if processed else None,
            options=(options_record(self.options) if from_audio else import_record(self.meeting, self.options))
            if processed
            else None,
            timings_s={k: round(v, 3) for k, v in self.timings_s.items()},
        )


SOURCES = ("audio", "transcript", "audio+transcript")  # MeetingSpec.source


@dataclass(frozen=True)
class Stage:
    """A named step of a run. ``when``: the run statuses it runs in. ``sources``: the meeting
    sources it runs for (`MeetingSpec.source`). ``io``: it reads or writes files or the database,
    so a flow may retry it on an I/O error. ``timed``: its wall time is recorded under its name (a
    stage that records finer timings itself sets False)."""

    name: str
    run: Callable[[MeetingRun], None]
    when: tuple[str, ...] = ("processing",)
    io: bool = False
    timed: bool = True
    sources: tuple[str, ...] = SOURCES


# --- the stages ---------------------------------------------------------------------------------


def gate_consent(run: MeetingRun) -> None:
    """A meeting whose consent does not cover transcription is skipped, with the reason."""
    try:
        check_consent(run.meeting, "transcribe")
    except ConsentError as exc:
        run.status, run.reason = "skipped", str(exc)


def recognise_stored(run: MeetingRun) -> None:
    """Hash the audio and name the models (or hash the imported transcript); a meeting stored with
    the same key is unchanged.

    The key needs only the files' hashes and the model manifests, so a stored meeting is recognised
    without decoding its audio or loading any model: resuming a batch is cheap.
    """
    meeting = run.meeting
    if meeting.audio is not None:
        run.sha256 = audio_sha256(meeting.audio)
    if meeting.transcript is None:
        run.models = model_records(run.options)
        run.key = processing_key(run.sha256, run.options, run.models)
        unchanged = "same audio and models as the stored run"
    else:
        try:
            run.transcript_sha256 = sha256_file(meeting.transcript)
        except OSError as exc:
            raise TranscriptError(f"{meeting.transcript}: cannot read the transcript: {exc.strerror or exc}") from exc
        run.models = []
        run.key = import_processing_key(run.transcript_sha256, run.sha256, meeting, run.options)
        unchanged = "same transcript, participants and language as the stored run"
    stored_key = stored_processing_key(run.con, meeting.id)
    if stored_key == run.key:
        run.status, run.reason = "unchanged", unchanged
    elif (
        meeting.transcript is None
        and stored_key is not None
        and (withdrawn := withdrawn_participants(run.con, meeting.id))
    ):
        # The audio still holds the withdrawn person's voice; processing it again would bring their
        # speech back (unmapped, as someone else's), so the stored meeting stays as it is.
        run.status = "skipped"
        run.reason = (
            f"{', '.join(withdrawn)} withdrew consent: the stored meeting, with their speech removed, is kept "
            "and not processed again from the audio, which holds their voice"
        )


def read_imported_transcript(run: MeetingRun) -> None:
    """Read the meeting's human transcript into utterances and match its speakers' names to the
    manifest's participants; a mapping a person made for a name is kept (`imported_speaker_mapping`)."""
    from dialogic.transcript_import import read_transcript
    from dialogic.transcript_import.matching import label_segments, match_speakers

    run.imported = read_transcript(run.meeting.transcript)
    run.utterances = label_segments(run.imported.segments)
    labels = list(dict.fromkeys(u.speaker for u in run.utterances))
    matched, _ = match_speakers(labels, run.meeting.participants)
    run.speakers, run.mapping_changes = imported_speaker_mapping(run.con, run.meeting, matched)
    by_hand = {label for label, s in run.speakers.items() if s.participant_id and s.mapped_by != NAME_MATCH}
    _, unmatched = match_speakers([label for label in labels if label not in by_hand], run.meeting.participants)
    run.transcript_warnings = [*run.imported.notes, *unmatched, *_leave_out_withdrawn(run)]


def _leave_out_withdrawn(run: MeetingRun) -> list[str]:
    """A participant who withdrew from this meeting (`dialogic consent withdraw --participant`)
    stays withdrawn when a changed transcript is read again: their utterances are not stored."""
    withdrawn = set(withdrawn_participants(run.con, run.meeting.id))
    gone = {label: s.participant_id for label, s in run.speakers.items() if s.participant_id in withdrawn}
    if not gone:
        return []
    before = len(run.utterances)
    kept = [u for u in run.utterances if u.speaker not in gone]
    run.utterances = [dataclasses.replace(u, index=i) for i, u in enumerate(kept)]
    run.speakers = {label: s for label, s in run.speakers.items() if label not in gone}
    return [
        f"{before - len(kept)} utterance(s) of withdrawn participant(s) {', '.join(sorted(set(gone.values())))} "
        "left out: their consent was withdrawn"
    ]


def decode(run: MeetingRun) -> None:
    run.audio = decode_audio(run.meeting.audio, sha256=run.sha256)
    if run.imported is not None:  # no diarisation to measure speech with; the transcript must fit the recording
        run.warnings = audio_warnings(run.audio, 0, None) + transcript_fit_warnings(run.imported, run.audio)


def transcribe_and_diarise_stage(run: MeetingRun) -> None:
    def report(stage: str, completed: float | None = None, total: float | None = None) -> None:
        run.progress(run.meeting.id, stage, completed=completed, total=total)

    run.transcript, run.diarisation = transcribe_and_diarise(run.meeting, run.audio, run.options, run.timings_s, report)


def align(run: MeetingRun) -> None:
    run.words = align_words_to_speakers(run.transcript.words, run.diarisation.exclusive_turns, run.options.align)
    run.utterances = speaker_confidence(
        build_utterances(run.words, run.options.align), run.diarisation.attribution_margin
    )
    speech_s = shared_speech_s(run.diarisation.turns, run.diarisation.turns)  # every speaker's speech, overlaps once
    run.warnings = audio_warnings(run.audio, len(run.transcript.words), speech_s)


def tag(run: MeetingRun) -> None:
    """Tag the new utterances in memory (stored with them by `store`); for an unchanged meeting,
    tag the stored utterances only if the tagger's version has no rows for it yet."""
    if not should_tag(run.meeting, run.options):
        return
    if run.imported is not None:  # a human transcript: its language is what the manifest or --language says
        language = run.options.transcription.language
    elif run.transcript is not None:
        language = run.transcript.language
    else:
        language = stored_language(run.con, run.meeting.id)
    if language != TAGGER_LANGUAGE:
        # The taggers are trained on English: tags on another language would be silently wrong.
        if language is None:  # only an imported transcript has no language: nothing detects it
            note = (
                "not tagged: the transcript's language is not given (add `language: en` to the meeting in the "
                "manifest, or pass --language); transcript, speakers and shares are stored"
            )
        else:
            note = (
                f"not tagged: the tagger reads {TAGGER_LANGUAGE!r} and this meeting is in {language!r}; "
                "transcript, speakers and voice shares are stored"
            )
        run.reason = "; ".join(filter(None, [run.reason, note]))
        return
    if run.status == "unchanged":
        run.tag_rows = tag_stored_meeting(run.con, run.meeting, run.options, only_if_missing=True)
        return
    if not run.utterances:  # no speech: nothing to tag, and no reason to load the tagger
        return
    from dialogic.tagging.tag_store import predict_tag_rows
    from dialogic.tagging.tagger import load_tagger

    try:
        tagger = load_tagger(run.options.tagger)
    except DialogicError as exc:
        run.tag_failure = f"tag: {exc} (transcript and speakers are stored; re-run to tag)"
        return
    roles = utterance_roles(run)
    ids = [utterance_id(run.meeting.id, u.index) for u in run.utterances]
    texts, speakers = [u.text for u in run.utterances], [u.speaker for u in run.utterances]
    with torch_threads(cpu_threads(run.options)["tagging"]):
        rows = predict_tag_rows(tagger, ids, texts, roles, speakers=speakers)
    run.tags, run.tag_rows = (tagger, rows), rows.num_rows


def utterance_roles(run: MeetingRun) -> list[str | None]:
    """The speaker -> participant -> role rule of compute_speaker_roles, applied in memory to
    utterances not stored yet: a speaker's role is its carried participant's (as `store` will carry
    the mappings), else None."""
    roles_by_id = {p.id: p.role for p in run.meeting.participants}
    if run.speakers is not None:  # an imported transcript: the mappings `store` will write
        carried = run.speakers
    else:
        carried, _ = carried_mapping(run.con, run.meeting, run.diarisation, run.stored_voices)
    return [
        roles_by_id.get(carried[u.speaker].participant_id) if u.speaker in carried else None for u in run.utterances
    ]


def settle_status(run: MeetingRun) -> None:
    """A computed meeting is processed, or failed when tagging failed (the rest is stored anyway)."""
    run.status, run.reason = ("failed", run.tag_failure) if run.tag_failure else ("processed", run.reason)


def store(run: MeetingRun) -> None:
    settle_status(run)
    if run.imported is not None:
        store_imported_meeting(
            run.con,
            run.meeting,
            run.utterances,
            run.speakers,
            run.key,
            run.manifest_path,
            timed=run.imported.timed,
            transcript_sha256=run.transcript_sha256,
            audio=run.audio,
            mapping_changes=run.mapping_changes,
            tags=run.tags,
            run=run.run_record(),
            language=run.options.transcription.language,
            audio_warnings=run.warnings,
            transcript_warnings=run.transcript_warnings,
        )
        run.stored = True
        return
    stored = store_meeting(
        run.con,
        run.meeting,
        run.audio,
        run.diarisation,
        run.words,
        run.utterances,
        run.key,
        run.manifest_path,
        tags=run.tags,
        run=run.run_record(),
        warnings=run.warnings,
        language=run.transcript.language,
        language_probability=run.transcript.language_probability,
    )
    run.mapping_changes = stored.mapping_changes
    if stored.replay_note:
        run.reason = "; ".join(filter(None, [run.reason, stored.replay_note]))
    run.stored = True


TAGGER_LANGUAGE = "en"  # what the shipped taggers are trained on


def stored_language(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str | None:
    row = con.execute("select language from meetings where meeting_id = ?", [meeting_id]).fetchone()
    return row[0] if row else None


def meeting_options(meeting: MeetingSpec, options: PipelineOptions) -> PipelineOptions:
    """The options for one meeting: its manifest ``language:`` overrides the batch's."""
    if meeting.language and meeting.language != options.transcription.language:
        return dataclasses.replace(
            options, transcription=dataclasses.replace(options.transcription, language=meeting.language)
        )
    return options


STAGES: tuple[Stage, ...] = (
    Stage("consent", gate_consent, timed=False),
    Stage("hash", recognise_stored, io=True),
    Stage("read-transcript", read_imported_transcript, io=True, sources=("transcript", "audio+transcript")),
    Stage("decode", decode, io=True, sources=("audio", "audio+transcript")),
    Stage("transcribe-and-diarise", transcribe_and_diarise_stage, timed=False, sources=("audio",)),
    Stage("align", align, sources=("audio",)),
    Stage("tag", tag, when=("processing", "unchanged")),
    Stage("store", store, io=True),
)


def call_directly(stage: Stage, run: MeetingRun) -> None:
    stage.run(run)


def stages_named(*names: str) -> tuple[Stage, ...]:
    """The stages of `STAGES` with these names, in their order (a worker runs some, the writer others)."""
    unknown = set(names) - {s.name for s in STAGES}
    if unknown:
        raise ValueError(f"no stage named {sorted(unknown)}; stages: {[s.name for s in STAGES]}")
    return tuple(s for s in STAGES if s.name in names)


def run_stages(
    run: MeetingRun, stages: tuple[Stage, ...] = STAGES, call: Callable[[Stage, MeetingRun], None] = call_directly
) -> None:
    """Run the ``stages`` that apply to the run's status, in order. A stage that raises ends the run
    as failed with the stage named; nothing else is raised for a bad recording or a failing stage."""
    try:
        for stage in stages:
            if run.status not in stage.when or run.meeting.source not in stage.sources:
                continue
            run.stage = stage.name
            run.progress(run.meeting.id, stage.name)
            started = time.perf_counter()
            call(stage, run)
            if stage.timed:
                run.timings_s[stage.name] = time.perf_counter() - started
    except DialogicError as exc:
        run.status, run.reason = "failed", f"{run.stage}: {exc}"
    except Exception as exc:  # a library failure on one recording must not stop the batch
        run.status, run.reason = "failed", f"{run.stage}: {run.meeting.source_file}: {exc.__class__.__name__}: {exc}"


def run_meeting(
    run: MeetingRun, stages: tuple[Stage, ...] = STAGES, call: Callable[[Stage, MeetingRun], None] = call_directly
) -> MeetingResult:
    """Run ``stages`` over ``run`` and record the run. Never raises for a bad recording or a
    failing stage: the result says which stage failed and why."""
    run_stages(run, stages, call)
    if run.status == "processing":  # stages that end without storing (e.g. a custom list)
        run.status = "processed"
    if not run.stored:
        _record_unstored(run)
    imported = run.imported is not None
    if not run.stored:
        words = speakers = 0
    elif imported:  # words of the transcript's text; speakers are its names
        words, speakers = sum(len(u.text.split()) for u in run.utterances), len(run.speakers)
    else:
        words, speakers = len(run.words), len(run.diarisation.speakers)
    return MeetingResult(
        run.meeting.id,
        run.status,
        run.reason,
        dict(run.timings_s),
        words=words,
        utterances=len(run.utterances) if run.stored else 0,
        speakers=speakers,
        tags=run.tag_rows if run.stored or run.status == "unchanged" else 0,
        wall_s=time.perf_counter() - run.clock_s,
        mapping_changes=run.mapping_changes,
        warnings=[*run.warnings, *run.transcript_warnings],
    )


def _record_unstored(run: MeetingRun) -> None:
    """A run that stored no rows still keeps the manifest's metadata and its run record — except
    for a withdrawn meeting, of which nothing is written."""
    if run.meeting.consent.status == "withdrawn":
        return
    try:
        upsert_meeting_record(run.con, run.meeting, run.manifest_path)  # roles may have changed in the manifest
        record_run(run.con, **run.run_record())
    except duckdb.Error:
        if run.status != "failed":
            raise
        # the failure itself is what the caller needs to see


def process_meeting(
    con: duckdb.DuckDBPyConnection,
    meeting: MeetingSpec,
    options: PipelineOptions = PipelineOptions(),
    *,
    manifest_path: str | None = None,
    progress: Progress = no_progress,
    stages: tuple[Stage, ...] = STAGES,
    call: Callable[[Stage, MeetingRun], None] = call_directly,
) -> MeetingResult:
    """Process one meeting into ``con``. Never raises for a bad recording: the result says why it
    failed. ``stages`` and ``call`` let a caller (the Prefect flows, a test) change how stages run."""
    run = MeetingRun(con, meeting, meeting_options(meeting, options), manifest_path=manifest_path, progress=progress)
    return run_meeting(run, stages, call)


def process_manifest(
    db_path: str | Path,
    manifest: Manifest,
    options: PipelineOptions = PipelineOptions(),
    *,
    progress: Progress = no_progress,
    stages: tuple[Stage, ...] = STAGES,
) -> BatchReport:
    """Process every meeting of a manifest into ``db_path``; one bad meeting never stops the batch.

    Meetings the manifest itself rejected are reported as failed with the manifest's reason.
    A batch is resumable: meetings already stored with the same audio and models are skipped as
    unchanged.
    """
    report = BatchReport()
    for problem in manifest.problems:
        report.results.append(MeetingResult(problem.meeting, "failed", problem.reason))
    withdrawn = withdrawn_meetings(db_path, manifest, options)
    con = connect(db_path)
    try:
        for meeting in manifest.meetings:
            if meeting.id in withdrawn:
                report.results.append(MeetingResult(meeting.id, "skipped", withdrawn[meeting.id]))
                continue
            report.results.append(
                process_meeting(
                    con, meeting, options, manifest_path=str(manifest.path), progress=progress, stages=stages
                )
            )
    finally:
        con.close()
    return report


def withdrawn_meetings(db_path: str | Path, manifest: Manifest, options: PipelineOptions) -> dict[str, str]:
    """Meetings whose consent is now withdrawn → what was done: purged (with ``purge_withdrawn``),
    or kept and reported. Runs before the batch opens the database: purging rewrites the file."""
    if not Path(db_path).exists():
        return {}
    con = connect(db_path)
    try:
        stored = {r[0] for r in con.execute("select meeting_id from meetings").fetchall()}
        # meetings withdrawn with `dialogic consent withdraw`: never computed again from the audio
        # the manifest still names
        withdrawn_before = {
            meeting_id: (reference, when)
            for meeting_id, reference, when in con.execute(
                "select meeting_id, reference, completed_at from consent_withdrawals "
                "where participant_id is null and state = 'complete' order by withdrawn_at"
            ).fetchall()
        }
    finally:
        con.close()
    done = {}
    for meeting in manifest.meetings:
        if meeting.id in withdrawn_before and meeting.id not in stored:
            reference, when = withdrawn_before[meeting.id]
            done[meeting.id] = (
                f"consent was withdrawn ({reference}, {when:%Y-%m-%d}): not processed again. Remove it from the "
                "manifest; a meeting recorded under new consent needs a new id"
            )
            continue
        if meeting.consent.status != "withdrawn" or meeting.id not in stored:
            continue
        if options.purge_withdrawn:
            reference = meeting.consent.reference or f"manifest {manifest.path}: consent withdrawn"
            removed = withdraw_meeting(db_path, meeting.id, reference, by="dialogic process --purge-withdrawn")
            done[meeting.id] = f"consent withdrawn: everything stored was removed ({sum(removed.values())} rows)"
        else:
            done[meeting.id] = (
                "consent withdrawn, but its stored data is still in the database: run again with "
                "--purge-withdrawn, or `dialogic consent withdraw`"
            )
    return done


# --- what the stages share ----------------------------------------------------------------------


def options_record(options: PipelineOptions) -> dict:
    """The options that shape a meeting's derived rows: hashed into its processing key and stored
    with its run."""
    return {
        "transcription": asdict(options.transcription),
        "diarisation": asdict(options.diarisation),
        "align": asdict(options.align),
        "speaker_hint": options.speaker_hint,
        "cpu_threads": cpu_threads(options),
    }


# Bumped when a transcript reader or the name matching changes what an imported file gives, so
# that stored imports are read again.
TRANSCRIPT_READER_VERSION = 1


def import_record(meeting: MeetingSpec, options: PipelineOptions) -> dict:
    """What shapes an imported meeting's rows: the readers' version, the meeting's language (from
    the manifest or --language) and the participants' names that speakers are matched against.
    Hashed into its processing key and stored with its run."""
    return {
        "transcript_reader": TRANSCRIPT_READER_VERSION,
        "language": options.transcription.language,
        "participant_names": [[p.id, p.pseudonym, p.person, p.relation, p.profession] for p in meeting.participants],
    }


def import_processing_key(
    transcript_sha256: str, audio_sha256: str | None, meeting: MeetingSpec, options: PipelineOptions
) -> str:
    """Content hash of what produced an imported meeting's rows: the transcript (and recording)
    and `import_record`."""
    payload = {"transcript": transcript_sha256, "audio": audio_sha256, **import_record(meeting, options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def transcript_fit_warnings(imported: ImportedTranscript, audio: DecodedAudio, tolerance_s: float = 1.0) -> list[str]:
    """A timed transcript that runs past the end of its recording is probably not its transcript,
    or not timed from the recording's start."""
    if not imported.timed:
        return []
    last_end_s = max(s.end_s for s in imported.segments)
    if last_end_s <= audio.duration_s + tolerance_s:
        return []
    return [
        f"the transcript runs to {last_end_s:.1f} s but the recording lasts {audio.duration_s:.1f} s: "
        "is it this recording's transcript, timed from its start?"
    ]


def processing_key(audio_sha256: str, options: PipelineOptions, model_records: list[dict]) -> str:
    """Content hash of what produced a meeting's derived rows: audio, models, weights and options."""
    payload = {"audio": audio_sha256, "models": model_records, **options_record(options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def model_records(options: PipelineOptions) -> list[dict]:
    """Name, version and weight hashes of the ASR and diarisation models the options select."""
    _, asr_sha = resolve_asr_model(options.transcription.model)
    return [
        {"name": options.transcription.model, "kind": "asr", "sha256": asr_sha, "decoding": ASR_DECODING},
        *diarisation_model_records(options.diarisation),
    ]


def speaker_counts(meeting: MeetingSpec, hint: str) -> dict[str, int | None]:
    """The manifest's participant count as diarisation keyword arguments, per ``hint``."""
    n = len(meeting.participants)
    if hint == "exact":
        return {"num_speakers": n}
    if hint == "max":
        return {"max_speakers": n}
    return {}


_CPU_SECTION = threading.Lock()  # torch's thread count and the transcription worker are process-wide


def transcribe_and_diarise(
    meeting: MeetingSpec,
    audio: DecodedAudio,
    options: PipelineOptions,
    timings: dict[str, float] | None = None,
    stage: Callable[..., None] | None = None,
) -> tuple[Transcript, Diarisation]:
    """On CPU, transcription runs in a worker process while diarisation runs here, the cores split
    between them (one after the other when ``options.cpu_cores`` is 1); on a GPU (or with
    ``parallel_cpu=False``) they run one after the other here.
    ``stage(name, completed=None, total=None)`` is called as each starts and as it goes on:
    ``transcribe`` with seconds of audio done, ``diarise <step>`` with pyannote's counts.
    ``timings`` gets their seconds. Meetings processed in several threads at once take turns
    through the CPU section."""
    timings = {} if timings is None else timings
    stage = stage or (lambda name, completed=None, total=None: None)
    speakers = speaker_counts(meeting, options.speaker_hint)

    def asr_progress(done_s: float, total_s: float) -> None:
        stage("transcribe", done_s, total_s)

    def diarisation_hook(step_name, step_artifact, file=None, total=None, completed=None) -> None:
        stage(f"diarise {step_name}", completed, total)  # pyannote's hook signature

    threads = cpu_threads(options)
    transcription = dataclasses.replace(options.transcription, cpu_threads=threads["transcription"])
    if not parallel_on_cpu(options):
        stage("transcribe")
        t = time.perf_counter()
        transcript = transcribe_audio(audio, transcription, progress=asr_progress)
        timings["transcribe"] = time.perf_counter() - t
        stage("diarise")
        t = time.perf_counter()
        with torch_threads(threads["diarisation"]):
            diarisation = diarise_audio(audio, options.diarisation, hook=diarisation_hook, **speakers)
        timings["diarise"] = time.perf_counter() - t
        return transcript, diarisation

    cores = options.cpu_cores or available_cores()
    with _CPU_SECTION:
        stage("transcribe")
        pending = submit_transcription(audio, transcription, progress=asr_progress)
        if cores < 2:  # one core: one thing at a time, transcription still in its own process (asr_worker says why)
            transcript, timings["transcribe"] = pending.result()
        stage("diarise")
        t = time.perf_counter()
        with torch_threads(threads["diarisation"]):
            diarisation = diarise_audio(audio, options.diarisation, hook=diarisation_hook, **speakers)
        timings["diarise"] = time.perf_counter() - t
        stage("diarise", 1, 1)  # done; the worker may still be transcribing
        if cores >= 2:
            transcript, timings["transcribe"] = pending.result()
    return transcript, diarisation


def transcription_threads(options: PipelineOptions) -> int:
    """The threads transcription gets on CPU beside diarisation: half the meeting's cores."""
    return options.transcription.cpu_threads or max(1, (options.cpu_cores or available_cores()) // 2)


def parallel_on_cpu(options: PipelineOptions) -> bool:
    """Transcription runs in its worker process beside diarisation, the cores split between them."""
    on_cpu = options.transcription.device == "cpu" and options.diarisation.device == "cpu"
    return on_cpu and options.parallel_cpu


def cpu_threads(options: PipelineOptions) -> dict[str, int]:
    """The threads each model stage computes with on CPU, from the meeting's cores. Part of the
    processing key and the run record: PyTorch's results depend on its thread count (CAM++'s voice
    embeddings differ between one thread and two in the sixth decimal, and tag probabilities can
    move), so a run on another number of cores is another computation, and says so
    (docs/scale.md)."""
    cores = options.cpu_cores or available_cores()
    if parallel_on_cpu(options):
        asr = transcription_threads(options)
        return {"transcription": asr, "diarisation": max(1, cores - asr), "tagging": cores}
    return {"transcription": options.transcription.cpu_threads or cores, "diarisation": cores, "tagging": cores}


_TORCH_THREADS = threading.RLock()  # torch's thread count is process-wide


@contextlib.contextmanager
def torch_threads(threads: int):
    """PyTorch on exactly ``threads`` threads inside the block (the process's count restored after).
    Meetings computed in several threads of one process take turns here: another thread's count
    must not leak into this block's results."""
    import torch

    with _TORCH_THREADS:
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity: a SLURM job's or a container's share,
    not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def should_tag(meeting: MeetingSpec, options: PipelineOptions) -> bool:
    """Tagging is on and the meeting's consent covers analysis."""
    return options.tag and "analyse" in meeting.consent.scope and meeting.consent.status == "given"


def tag_stored_meeting(con, meeting: MeetingSpec, options: PipelineOptions, *, only_if_missing: bool) -> int:
    """Tag a stored meeting with the options' tagger; with ``only_if_missing``, only when that
    tagger version has no rows for it yet (checked without loading the tagger). Returns the tag
    rows written."""
    from dialogic.tagging.artifacts import tagger_version

    if only_if_missing:
        done = con.execute(
            "select count(*) from tags where meeting_id = ? and model_version = ?",
            [meeting.id, tagger_version(options.tagger)],
        ).fetchone()[0]
        if done:
            return 0
    # a meeting without speech (a silent recording) has nothing to tag: the tagger is not loaded
    if not con.execute("select count(*) from utterances where meeting_id = ?", [meeting.id]).fetchone()[0]:
        return 0
    # imported only now: the tagger module loads torch and transformers
    from dialogic.store.tags import tag_meeting
    from dialogic.tagging.tagger import load_tagger

    tagger = load_tagger(options.tagger)
    with torch_threads(cpu_threads(options)["tagging"]):
        return tag_meeting(con, meeting.id, tagger)
