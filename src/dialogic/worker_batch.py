"""A batch computed by worker processes and stored by one writer: the library behind
``dialogic process --dask-workers`` / ``--dask-address`` and ``flows/process_batch_dask.py``.

    writer (this process, the only one that opens the database)
        consent → hash → a stored, unchanged meeting stops here
        → a `MeetingJob` to a worker ─────────────▶ worker process (never opens the database)
                                                      decode → transcribe-and-diarise → align → tag
                                                      → one staged set of files (`dialogic.staging`)
        ◀──────────────────────── `JobOutcome` ──┘
        → read the set, check its checksums → store (one transaction) → remove the set

The stages are the library's (`dialogic.pipeline.STAGES`); only where they run changes. The engine
is passed in as ``submit(job) -> concurrent.futures.Future`` (a Dask client's executor, a Prefect
task runner, a process pool), so this module imports none of them. A worker that dies is the
engine's to retry; its partial files are never loaded. A meeting computed twice is stored once:
its set's name holds its processing key, and a key already stored is not stored again. A batch
that stops between computing and storing leaves complete sets that the next batch stores without
computing them again.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dialogic.db import connect
from dialogic.errors import StagingError
from dialogic.manifest import Manifest, MeetingSpec
from dialogic.options import PipelineOptions
from dialogic.pipeline import (
    MeetingRun,
    Progress,
    available_cores,
    cpu_threads,
    meeting_options,
    no_progress,
    parallel_on_cpu,
    run_meeting,
    run_stages,
    stages_named,
    utterance_roles,
    withdrawn_meetings,
)
from dialogic.records import AudioSummary, BatchReport, ComputedMeeting, MeetingResult, TaggerRecord
from dialogic.staging import (
    default_staging_dir,
    discard_set,
    find_staged,
    read_staged,
    remove_all_sets,
    remove_partial_sets,
    stage_meeting,
)
from dialogic.store.meetings import StoredVoices, read_stored_voices, stored_processing_key

PREPARE_STAGES = stages_named("consent", "hash")  # the writer: cheap, and needs the database
COMPUTE_STAGES = stages_named("decode", "transcribe-and-diarise", "align", "tag")  # a worker
STORE_STAGES = stages_named("store")  # the writer
IMPORT_STAGES = stages_named("read-transcript", "decode", "tag", "store")  # the writer, for imported transcripts
TAG_STAGES = stages_named("tag")  # the writer too, when a staged set's tags read outdated roles


@dataclass(frozen=True)
class MeetingJob:
    """What a worker needs to compute one meeting; plain data, no database handle."""

    meeting: MeetingSpec
    options: PipelineOptions
    run_id: str
    started_at: dt.datetime
    audio_sha256: str
    models: list[dict]
    processing_key: str
    stored_voices: StoredVoices  # the stored mappings the tags' speaker roles follow
    staging_dir: str


@dataclass(frozen=True)
class JobOutcome:
    """What a worker sends back: where its staged set is, or why the meeting failed."""

    meeting_id: str
    status: str  # staged | failed
    folder: str | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)


# --- the worker side ----------------------------------------------------------------------------

# One meeting at a time per worker process, however many threads the engine gives it: a meeting
# uses the process's cores (or its GPU) whole, and the models it loads stay loaded for the next.
_ONE_MEETING = threading.Lock()


def compute_meeting(job: MeetingJob) -> JobOutcome:
    """Compute one meeting on a worker and stage it as files. Never raises for a bad recording or
    a failing stage (the outcome says why); never opens the database.

    Models are loaded once per worker process and kept (`dialogic.transcribe.load_whisper`,
    `dialogic.diarisation.diarise.load_diarisation_pipeline`, `dialogic.tagging.tagger.load_tagger`
    are cached per process), so only a worker's first meeting pays for loading them.
    """
    with _ONE_MEETING:
        _use_cores(job.options)
        run = MeetingRun(
            None,
            job.meeting,
            job.options,
            run_id=job.run_id,
            started_at=job.started_at,
            sha256=job.audio_sha256,
            models=job.models,
            key=job.processing_key,
            stored_voices=job.stored_voices,
        )
        run_stages(run, COMPUTE_STAGES)
        if run.status != "processing":
            return JobOutcome(job.meeting.id, "failed", reason=run.reason, timings_s=dict(run.timings_s))
        started = time.perf_counter()
        try:
            computed = computed_meeting(run)
            folder = stage_meeting(job.staging_dir, computed)
        except (OSError, StagingError) as exc:
            reason = f"staging: {job.staging_dir}: {exc.__class__.__name__}: {exc}"
            return JobOutcome(job.meeting.id, "failed", reason=reason, timings_s=dict(run.timings_s))
        run.timings_s["staging"] = time.perf_counter() - started
        return JobOutcome(
            job.meeting.id, "staged", folder=str(folder), warnings=run.warnings, timings_s=dict(run.timings_s)
        )


def computed_meeting(run: MeetingRun) -> ComputedMeeting:
    """The computed parts of a run (decoded, transcribed, diarised, aligned, tagged), as staged."""
    tagger, rows = run.tags if run.tags is not None else (None, None)
    return ComputedMeeting(
        meeting_id=run.meeting.id,
        processing_key=run.key,
        audio=AudioSummary(run.audio.path, run.audio.sha256, run.audio.duration_s),
        transcript=run.transcript,
        diarisation=run.diarisation,
        words=run.words,
        utterances=run.utterances,
        warnings=list(run.warnings),
        reason=run.reason,
        tag_failure=run.tag_failure,
        tagger=None if tagger is None else tagger_record(tagger),
        tag_rows=rows,
        tag_roles=utterance_roles(run) if rows is not None else None,
        timings_s=dict(run.timings_s),
    )


def tagger_record(tagger) -> TaggerRecord:
    """What the database keeps of a loaded tagger (see `dialogic.store.tags.register_tagger`)."""
    manifest = getattr(tagger, "manifest", {}) or {}
    name, _, version = tagger.model_version.rpartition("-v")
    return TaggerRecord(
        model_version=tagger.model_version,
        name=getattr(tagger, "name", name) or name,
        version=int(getattr(tagger, "version", version or 0) or 0),
        thresholds={k: float(v) for k, v in tagger.thresholds.items()},
        precision=getattr(tagger, "precision", "fp32"),
        sha256=getattr(tagger, "sha256", None),
        manifest={"recipe": manifest.get("recipe"), "metrics": manifest.get("metrics", {})},
    )


def load_models(options: PipelineOptions) -> None:
    """Load, in this worker process, the models a meeting with ``options`` needs (transcription in
    its own process, diarisation, the tagger), so that the first meeting does not pay for them;
    e.g. ``client.run(load_models, options)`` on every Dask worker."""
    import numpy as np

    from dialogic.asr_worker import submit_transcription
    from dialogic.diarisation.diarise import load_diarisation_pipeline
    from dialogic.records import DecodedAudio
    from dialogic.tagging.tagger import load_tagger

    with _ONE_MEETING:
        _use_cores(options)
        silence = DecodedAudio(Path("<silence>"), np.zeros(16000, dtype=np.float32), 16000, "")
        # with the thread count a meeting uses: the model is cached per (model, device, precision, threads)
        transcription = dataclasses.replace(options.transcription, cpu_threads=cpu_threads(options)["transcription"])
        if parallel_on_cpu(options):
            submit_transcription(silence, transcription).result()
        else:
            from dialogic.transcribe import transcribe_audio

            transcribe_audio(silence, transcription)
        load_diarisation_pipeline(options.diarisation)
        if options.tag:
            load_tagger(options.tagger)


def _use_cores(options: PipelineOptions) -> None:
    """Give PyTorch the meeting's cores: Dask starts its workers with OMP_NUM_THREADS=1, which
    would leave diarisation and tagging on one thread whatever the worker's share."""
    if options.transcription.device != "cpu" and options.diarisation.device != "cpu":
        return
    import torch

    torch.set_num_threads(options.cpu_cores or available_cores())


# --- the writer side ----------------------------------------------------------------------------


def process_manifest_on_workers(
    db_path: str | Path,
    manifest: Manifest,
    options: PipelineOptions,
    submit: Callable[[MeetingJob], concurrent.futures.Future],
    *,
    staging_dir: str | Path | None = None,
    progress: Progress = no_progress,
) -> BatchReport:
    """Process every meeting of a manifest into ``db_path``, computing on workers and storing here.

    ``submit(job)`` starts `compute_meeting` on a worker and returns a future of its `JobOutcome`;
    a future that raises (a worker died more often than the engine retries) fails only its
    meeting. ``staging_dir`` (default: beside the database) must be one folder that every worker
    and this process see under the same path, used by one database only. ``progress`` gets
    ``consent`` and ``hash`` (here), ``compute`` (sent to a worker), ``store`` and, as each meeting
    ends, ``done``. Results come back in manifest order; same statuses as
    `dialogic.pipeline.process_manifest`.
    """
    if not options.cpu_cores:
        # The processing key, made here, holds the threads the workers compute with (see
        # `dialogic.pipeline.cpu_threads`): they must not resolve "every core" on their own machines.
        options = dataclasses.replace(options, cpu_cores=available_cores())
    report = BatchReport()
    for problem in manifest.problems:
        report.results.append(MeetingResult(problem.meeting, "failed", problem.reason))
    staging = Path(staging_dir) if staging_dir is not None else default_staging_dir(db_path)
    withdrawn = withdrawn_meetings(db_path, manifest, options)
    remove_partial_sets(staging)  # left by workers killed while writing: never loaded
    by_id: dict[str, MeetingResult] = {}

    def finish(result: MeetingResult) -> None:
        by_id[result.meeting_id] = result
        progress(result.meeting_id, "done")

    con = connect(db_path)
    try:
        in_flight: dict[concurrent.futures.Future, MeetingRun] = {}
        for meeting in manifest.meetings:
            if meeting.id in withdrawn:
                finish(MeetingResult(meeting.id, "skipped", withdrawn[meeting.id]))
                continue
            run = MeetingRun(
                con, meeting, meeting_options(meeting, options), manifest_path=str(manifest.path), progress=progress
            )
            run_stages(run, PREPARE_STAGES)
            if run.status != "processing":  # skipped, unchanged (tagged here if need be) or failed
                finish(run_meeting(run))
                continue
            if meeting.source != "audio":  # an imported transcript: no model work to send out
                finish(run_meeting(run, IMPORT_STAGES))
                continue
            staged = find_staged(staging, meeting.id, run.key)
            if staged is not None:  # computed by an earlier batch that stopped before storing it
                finish(store_staged(run, staged))
                continue
            progress(meeting.id, "compute")
            in_flight[submit(meeting_job(run, staging))] = run
        for future in concurrent.futures.as_completed(in_flight):
            finish(_collect(in_flight[future], future))
    finally:
        con.close()
    remove_all_sets(staging)  # a finished batch leaves no health data outside the database
    order = {m.id: i for i, m in enumerate(manifest.meetings)}
    report.results += sorted(by_id.values(), key=lambda r: order[r.meeting_id])
    return report


def meeting_job(run: MeetingRun, staging: Path) -> MeetingJob:
    """The job for a run the writer has prepared (consent and hash passed, status processing)."""
    return MeetingJob(
        meeting=run.meeting,
        options=run.options,
        run_id=run.run_id,
        started_at=run.started_at,
        audio_sha256=run.sha256,
        models=run.models,
        processing_key=run.key,
        stored_voices=read_stored_voices(run.con, run.meeting.id),
        staging_dir=str(staging),
    )


def _collect(run: MeetingRun, future: concurrent.futures.Future) -> MeetingResult:
    try:
        outcome: JobOutcome = future.result()
    except Exception as exc:  # the engine gave up on it (e.g. its worker died on every try)
        run.status, run.reason = "failed", f"compute: the worker failed: {exc.__class__.__name__}: {exc}"
        return run_meeting(run, ())
    run.timings_s.update(outcome.timings_s)
    if outcome.status != "staged":
        run.status, run.reason, run.warnings = "failed", outcome.reason, list(outcome.warnings)
        return run_meeting(run, ())
    return store_staged(run, Path(outcome.folder))


def store_staged(run: MeetingRun, folder: Path) -> MeetingResult:
    """Store one staged set through the store stage (one transaction, with its run record), then
    remove the set. A set that fails its checks is removed unstored and its meeting fails; a set
    whose key is already stored is not stored again (the meeting is ``unchanged``)."""
    try:
        computed = read_staged(folder, meeting_id=run.meeting.id, processing_key=run.key)
    except StagingError as exc:
        discard_set(folder)
        run.status, run.reason = "failed", f"load: {exc}"
        return run_meeting(run, ())
    run.timings_s.update({k: v for k, v in computed.timings_s.items() if k not in run.timings_s})
    if stored_processing_key(run.con, run.meeting.id) == run.key:
        discard_set(folder)
        run.status, run.reason = "unchanged", "already stored with the same audio and models (computed twice)"
        return run_meeting(run, ())
    run.audio = computed.audio
    run.transcript = computed.transcript
    run.diarisation = computed.diarisation
    run.words = computed.words
    run.utterances = computed.utterances
    run.warnings = list(computed.warnings)
    run.reason = computed.reason
    run.tag_failure = computed.tag_failure
    if computed.tag_rows is not None:
        run.tags, run.tag_rows = (computed.tagger, computed.tag_rows), computed.tag_rows.num_rows
        if computed.tag_roles != utterance_roles(run):
            # The speaker mappings changed since the worker was sent them (a set from an earlier
            # batch, mapped since): its tags read the wrong roles, so tag again here.
            run.tags, run.tag_rows = None, 0
            run_stages(run, TAG_STAGES)
    result = run_meeting(run, STORE_STAGES)
    if run.stored:
        discard_set(folder)
    return result
