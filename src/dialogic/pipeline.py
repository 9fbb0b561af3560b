"""One meeting end to end, and a batch over a manifest: the library behind `dialogic process`.

Stages: consent gate → decode → transcribe → diarise → align words to speakers → build
utterances → store (one transaction) → tag. Progress goes to an optional callback
``progress(meeting_id, stage, detail)``; this module never prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import hashlib
import json
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from dialogic.align import AlignOptions, align_words_to_speakers, build_utterances
from dialogic.audio import audio_sha256, decode_audio
from dialogic.db import connect
from dialogic.diarisation.pipeline import DiarisationOptions, diarisation_model_records, diarise_audio
from dialogic.errors import ConsentError, DialogicError
from dialogic.manifest import Manifest, MeetingSpec, check_consent
from dialogic.store import record_run, store_meeting, stored_processing_key, upsert_meeting_record
from dialogic.transcribe import TranscriptionOptions, resolve_asr_model, submit_transcription, transcribe_audio

Progress = Callable[[str, str, str], None]
STAGES = ("decode", "transcribe", "diarise", "align", "store", "tag")
SPEAKER_HINTS = ("max", "exact", "none")


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that shapes a run.

    speaker_hint: how the manifest's participant count reaches diarisation: ``max`` (at most that
        many speakers; default, since a listed participant may stay silent), ``exact`` or ``none``.
    tag: run the utterance taggers after storing (needs consent scope ``analyse``).
    tagger: tagger model version to use; None picks the newest shipped one.
    parallel_cpu: on CPU, transcribe in a worker process while diarising here, half the cores each.
    """

    transcription: TranscriptionOptions = field(default_factory=TranscriptionOptions)
    diarisation: DiarisationOptions = field(default_factory=DiarisationOptions)
    align: AlignOptions = field(default_factory=AlignOptions)
    speaker_hint: str = "max"
    tag: bool = True
    tagger: str | None = None
    parallel_cpu: bool = True


@dataclass
class MeetingResult:
    meeting_id: str
    status: str  # processed | unchanged | skipped | failed
    reason: str | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    words: int = 0
    utterances: int = 0
    speakers: int = 0
    tags: int = 0


@dataclass
class BatchReport:
    results: list[MeetingResult] = field(default_factory=list)

    def by_status(self, status: str) -> list[MeetingResult]:
        return [r for r in self.results if r.status == status]


def options_record(options: PipelineOptions) -> dict:
    """The options that shape a meeting's derived rows: hashed into its processing key and stored
    with its run."""
    return {
        "transcription": asdict(options.transcription),
        "diarisation": asdict(options.diarisation),
        "align": asdict(options.align),
        "speaker_hint": options.speaker_hint,
    }


def processing_key(audio_sha256: str, options: PipelineOptions, model_records: list[dict]) -> str:
    """Content hash of what produced a meeting's derived rows: audio, models, weights and options."""
    payload = {"audio": audio_sha256, "models": model_records, **options_record(options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def model_records(options: PipelineOptions) -> list[dict]:
    """Name, version and weight hashes of the ASR and diarisation models the options select."""
    _, asr_sha = resolve_asr_model(options.transcription.model)
    return [{"name": options.transcription.model, "kind": "asr", "sha256": asr_sha}, *diarisation_model_records(options.diarisation)]


def speaker_counts(meeting: MeetingSpec, hint: str) -> dict[str, int | None]:
    """The manifest's participant count as diarisation keyword arguments, per ``hint``."""
    n = len(meeting.participants)
    if hint == "exact":
        return {"num_speakers": n}
    if hint == "max":
        return {"max_speakers": n}
    return {}


def process_meeting(
    con: duckdb.DuckDBPyConnection,
    meeting: MeetingSpec,
    options: PipelineOptions = PipelineOptions(),
    *,
    manifest_path: str | None = None,
    progress: Progress | None = None,
) -> MeetingResult:
    """Process one meeting. Never raises for a bad recording: the result says why it failed."""
    report = progress or (lambda *_: None)
    started = dt.datetime.now()
    run_id = uuid.uuid4().hex
    timings: dict[str, float] = {}
    current = {"stage": "consent"}

    def stage(name: str):
        current["stage"] = name
        report(meeting.id, name, "")
        return time.perf_counter()

    try:
        check_consent(meeting, "transcribe")
    except ConsentError as exc:
        upsert_meeting_record(con, meeting, manifest_path)
        record_run(con, run_id=run_id, meeting_id=meeting.id, status="skipped", reason=str(exc), started_at=started)
        return MeetingResult(meeting.id, "skipped", str(exc))

    key = None
    sha256 = None
    try:
        # The key needs only the file's hash and the model records, so a stored meeting is
        # recognised without decoding its audio or loading any model: resuming a batch is cheap.
        t = stage("decode")
        sha256 = audio_sha256(meeting.audio)
        records = model_records(options)
        key = processing_key(sha256, options, records)
        if stored_processing_key(con, meeting.id) == key:
            timings["hash"] = time.perf_counter() - t
            upsert_meeting_record(con, meeting, manifest_path)
            result = MeetingResult(meeting.id, "unchanged", "same audio and models as the stored run", timings)
            result.tags = _maybe_tag(con, meeting, options, timings, stage, only_if_missing=True)
            record_run(con, run_id=run_id, meeting_id=meeting.id, status="unchanged", reason=result.reason,
                       started_at=started, audio_sha256=sha256, processing_key=key, timings_s=timings)
            return result
        audio = decode_audio(meeting.audio, sha256=sha256)
        timings["decode"] = time.perf_counter() - t

        transcript, diarisation = transcribe_and_diarise(meeting, audio, options, timings, stage)

        t = stage("align")
        words = align_words_to_speakers(transcript.words, diarisation.exclusive_turns, options.align)
        utterances = build_utterances(words, options.align)
        timings["align"] = time.perf_counter() - t

        t = stage("store")
        store_meeting(con, meeting, audio, diarisation, words, utterances, key, manifest_path)
        timings["store"] = time.perf_counter() - t

        result = MeetingResult(
            meeting.id, "processed", None, timings,
            words=len(words), utterances=len(utterances), speakers=len(diarisation.speakers),
        )
        result.tags = _maybe_tag(con, meeting, options, timings, stage, only_if_missing=False)
        record_run(
            con, run_id=run_id, meeting_id=meeting.id, status="processed", started_at=started,
            audio_sha256=audio.sha256, processing_key=key, asr_model=options.transcription.model,
            diarisation_model=options.diarisation.pipeline, models=records, options=options_record(options),
            timings_s={k: round(v, 3) for k, v in timings.items()},
        )
        return result
    except DialogicError as exc:
        reason = f"{current['stage']}: {exc}"
    except Exception as exc:  # a library failure on one recording must not stop the batch
        reason = f"{current['stage']}: {meeting.audio}: {exc.__class__.__name__}: {exc}"
    if current["stage"] == "tag":
        reason += " (transcript and speakers are stored; re-run to tag)"
    try:
        upsert_meeting_record(con, meeting, manifest_path)  # the manifest's metadata is kept even so
        record_run(con, run_id=run_id, meeting_id=meeting.id, status="failed", reason=reason, started_at=started,
                   audio_sha256=sha256, processing_key=key, timings_s=timings)
    except duckdb.Error:
        pass  # the failure itself is what the caller needs to see
    return MeetingResult(meeting.id, "failed", reason, timings)


_CPU_SECTION = threading.Lock()  # torch's thread count and the transcription worker are process-wide


def transcribe_and_diarise(meeting: MeetingSpec, audio, options: PipelineOptions, timings: dict[str, float] | None = None,
                           stage: Callable[[str], float] | None = None):
    """On CPU, transcription runs in a worker process while diarisation runs here, the cores split
    between them; on a GPU (or with ``parallel_cpu=False``) they run one after the other here.
    ``stage(name)`` is called as each starts and returns its start time; ``timings`` gets seconds.
    Meetings processed in several threads at once take turns through the CPU section."""
    timings = {} if timings is None else timings
    stage = stage or (lambda name: time.perf_counter())
    speakers = speaker_counts(meeting, options.speaker_hint)
    on_cpu = options.transcription.device == "cpu" and options.diarisation.device == "cpu"
    if not (on_cpu and options.parallel_cpu):
        t = stage("transcribe")
        transcript = transcribe_audio(audio, options.transcription)
        timings["transcribe"] = time.perf_counter() - t
        t = stage("diarise")
        diarisation = diarise_audio(audio, options.diarisation, **speakers)
        timings["diarise"] = time.perf_counter() - t
        return transcript, diarisation

    import torch

    cores = os.cpu_count() or 2
    asr_threads = options.transcription.cpu_threads or max(1, cores // 2)
    with _CPU_SECTION:
        torch_threads = torch.get_num_threads()
        stage("transcribe")
        pending = submit_transcription(audio, dataclasses.replace(options.transcription, cpu_threads=asr_threads))
        t = stage("diarise")
        torch.set_num_threads(max(1, cores - asr_threads))
        try:
            diarisation = diarise_audio(audio, options.diarisation, **speakers)
        finally:
            torch.set_num_threads(torch_threads)
        timings["diarise"] = time.perf_counter() - t
        transcript, timings["transcribe"] = pending.result()
    return transcript, diarisation


def _maybe_tag(con, meeting: MeetingSpec, options: PipelineOptions, timings, stage, *, only_if_missing: bool) -> int:
    if not should_tag(meeting, options):
        return 0
    t = stage("tag")
    written = tag_stored_meeting(con, meeting, options, only_if_missing=only_if_missing)
    timings["tag"] = time.perf_counter() - t
    return written


def should_tag(meeting: MeetingSpec, options: PipelineOptions) -> bool:
    """Tagging is on and the meeting's consent covers analysis."""
    return options.tag and "analyse" in meeting.consent.scope and meeting.consent.status == "given"


def tag_stored_meeting(con, meeting: MeetingSpec, options: PipelineOptions, *, only_if_missing: bool) -> int:
    """Tag a stored meeting with the options' tagger; with ``only_if_missing``, only when that
    tagger version has no rows for it yet. Returns the tag rows written."""
    from dialogic.tagging.store import tag_meeting
    from dialogic.tagging.tagger import load_tagger

    tagger = load_tagger(options.tagger)
    if only_if_missing:
        done = con.execute(
            "select count(*) from tags where meeting_id = ? and model_version = ?", [meeting.id, tagger.model_version]
        ).fetchone()[0]
        if done:
            return 0
    return tag_meeting(con, meeting.id, tagger)


def process_manifest(
    db_path: str | Path,
    manifest: Manifest,
    options: PipelineOptions = PipelineOptions(),
    *,
    progress: Progress | None = None,
) -> BatchReport:
    """Process every meeting of a manifest into ``db_path``; one bad meeting never stops the batch.

    Meetings the manifest itself rejected are reported as failed with the manifest's reason.
    A batch is resumable: meetings already stored with the same audio and models are skipped as
    unchanged.
    """
    report = BatchReport()
    for problem in manifest.problems:
        report.results.append(MeetingResult(problem.meeting, "failed", problem.reason))
    con = connect(db_path)
    try:
        for meeting in manifest.meetings:
            report.results.append(process_meeting(con, meeting, options, manifest_path=str(manifest.path), progress=progress))
    finally:
        con.close()
    return report
