"""One meeting computed apart from the database: spec, options and the stored state it needs in,
a `ComputedMeeting` (or a `FailedMeeting`) out.

    from audio:       decode → transcribe-and-diarise → align → tag
    from a transcript: read-transcript → decode (only with a recording) → tag

Each stage is a function of typed values that returns typed values; `compute_meeting` chains them.
The database is read beforehand by the caller (`PriorState`: the stored voices the speaker
mappings follow, the hand mappings of an imported transcript, the withdrawn participants) and
written afterwards by the one writer (`dialogic.pipeline`), so the same function runs in the
writer's process, in a Prefect task and on a Dask worker (`compute_and_stage`). This module never
prints and never opens the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from dialogic.align import align_words_to_speakers, build_utterances, speaker_confidence
from dialogic.asr_worker import submit_transcription
from dialogic.audio import audio_warnings, decode_audio
from dialogic.cores import available_cores, cpu_threads, parallel_on_cpu, torch_threads, use_cores
from dialogic.diarisation.diarise import diarise_audio
from dialogic.errors import DialogicError, StagingError
from dialogic.keys import MeetingKey
from dialogic.manifest import MeetingSpec
from dialogic.options import AlignOptions, PipelineOptions
from dialogic.records import (
    AttributedWord,
    AudioSummary,
    ComputedMeeting,
    DecodedAudio,
    Diarisation,
    FailedMeeting,
    ImportedPart,
    ImportedTranscript,
    ImportedUtterance,
    MappingChange,
    TaggerRecord,
    Transcript,
    Utterance,
)
from dialogic.store.meetings import NAME_MATCH, StoredVoices, utterance_id
from dialogic.transcribe import transcribe_audio
from dialogic.voices import StoredSpeaker, carry_mappings, shared_speech_s

if TYPE_CHECKING:
    import pyarrow as pa

    from dialogic.tagging.tagger import Tagger

TAGGER_LANGUAGE = "en"  # what the shipped taggers are trained on

# The stages a meeting's progress names, in order (`dialogic.pipeline` adds consent, hash, store).
# The I/O ones read files or the database: a Prefect flow retries them on an I/O error.
STAGE_NAMES = ("consent", "hash", "read-transcript", "decode", "transcribe-and-diarise", "align", "tag", "store")
IO_STAGES = frozenset({"hash", "read-transcript", "decode", "store"})


class Progress(Protocol):
    """The one progress hook: called as each stage starts (``completed``/``total`` None), and by
    long stages with how far they are, in the stage's own units (e.g. seconds of audio)."""

    def __call__(
        self, meeting_id: str, stage: str, *, completed: float | None = None, total: float | None = None
    ) -> None: ...


def no_progress(meeting_id: str, stage: str, *, completed: float | None = None, total: float | None = None) -> None:
    """A progress hook that reports nothing."""


def call_directly(meeting_id: str, stage: str, fn: Callable, *args, **kwargs):
    """How a stage is called unless a caller says otherwise (a Prefect flow calls each as a task)."""
    return fn(*args, **kwargs)


@dataclass(frozen=True)
class PriorState:
    """What computing a meeting needs of what is stored, read beforehand (`dialogic.pipeline.read_prior`)."""

    processing_key: str | None = None  # None: never stored
    voices: StoredVoices = field(default_factory=lambda: StoredVoices([], []))  # speakers, mappings, turns
    withdrawn: tuple[str, ...] = ()  # participants whose speech was withdrawn

    def hand_mappings(self) -> list[StoredSpeaker]:
        """Stored mappings a person made (not a transcript name match), by label."""
        mapped = [s for s in self.voices.speakers if s.participant_id is not None and s.mapped_by != NAME_MATCH]
        return sorted(mapped, key=lambda s: s.speaker_label)


@dataclass(frozen=True)
class Tagged:
    """What the tag stage gives: rows and the tagger that predicted them, or why there are none."""

    tagger: TaggerRecord | None = None
    rows: pa.Table | None = None
    roles: list[str | None] | None = None  # the speaker role each utterance was tagged with
    note: str | None = None  # not tagged, and why (for the run's reason)
    failure: str | None = None  # tagging failed; the rest is stored and a re-run tags it


def stage_failure(stage: str, meeting: MeetingSpec, exc: Exception) -> str:
    """A failed stage as a run's reason: dialogic's own errors name their file already."""
    if isinstance(exc, DialogicError):
        return f"{stage}: {exc}"
    return f"{stage}: {meeting.source_file}: {exc.__class__.__name__}: {exc}"


class _Stages:
    """Calls one computation's stages: each reported, timed and called through ``call``."""

    def __init__(self, meeting: MeetingSpec, progress: Progress, call: Callable) -> None:
        self.meeting, self.progress, self.call = meeting, progress, call
        self.timings_s: dict[str, float] = {}
        self.current: str | None = None

    def __call__(self, name: str, fn: Callable, *args, timed: bool = True, **kwargs):
        self.current = name
        self.progress(self.meeting.id, name)
        started = time.perf_counter()
        value = self.call(self.meeting.id, name, fn, *args, **kwargs)
        if timed:
            self.timings_s[name] = time.perf_counter() - started
        return value

    def report(self, stage: str, completed: float | None = None, total: float | None = None) -> None:
        self.progress(self.meeting.id, stage, completed=completed, total=total)


def compute_meeting(
    meeting: MeetingSpec,
    options: PipelineOptions,
    prior: PriorState,
    key: MeetingKey,
    *,
    progress: Progress = no_progress,
    call: Callable = call_directly,
) -> ComputedMeeting | FailedMeeting:
    """Compute one meeting from its files, the options and what is stored of it. Never raises for
    a bad recording or a failing stage: a `FailedMeeting` names the stage and why. ``key``: its
    files' hashes (`dialogic.keys.meeting_key`), made by the caller to see whether it is stored."""
    stages = _Stages(meeting, progress, call)
    try:
        if meeting.transcript is None:
            return _from_audio(meeting, options, prior, key, stages)
        return _from_transcript(meeting, options, prior, key, stages)
    except Exception as exc:  # a library failure on one recording must not stop the batch
        return FailedMeeting(meeting.id, stage_failure(stages.current, meeting, exc), stages.timings_s)


def _from_audio(
    meeting: MeetingSpec, options: PipelineOptions, prior: PriorState, key: MeetingKey, stages: _Stages
) -> ComputedMeeting:
    audio = stages("decode", decode_audio, meeting.audio, sha256=key.audio_sha256)
    transcript, diarisation = stages(
        "transcribe-and-diarise",
        transcribe_and_diarise,
        meeting,
        audio,
        options,
        stages.timings_s,
        stages.report,
        timed=False,
    )
    words, utterances = stages("align", align_meeting, transcript, diarisation, options.align)
    speech_s = shared_speech_s(diarisation.turns, diarisation.turns)  # every speaker's speech, overlaps once
    warnings = audio_warnings(audio, len(transcript.words), speech_s)
    carried, _ = carry_mappings(
        prior.voices.speakers, prior.voices.turns, diarisation, {p.id for p in meeting.participants}
    )
    tagged = stages("tag", tag_utterances, meeting, options, utterances, carried, transcript.language)
    return _computed(
        meeting,
        key,
        tagged,
        stages,
        audio=AudioSummary(audio.path, audio.sha256, audio.duration_s),
        transcript=transcript,
        diarisation=diarisation,
        words=words,
        utterances=utterances,
        warnings=warnings,
    )


def _from_transcript(
    meeting: MeetingSpec, options: PipelineOptions, prior: PriorState, key: MeetingKey, stages: _Stages
) -> ComputedMeeting:
    imported, utterances, part = stages("read-transcript", read_imported_transcript, meeting, prior)
    summary, warnings = None, []
    if meeting.audio is not None:  # for the duration and the review app's clips: the human transcript is the text
        audio = stages("decode", decode_audio, meeting.audio, sha256=key.audio_sha256)
        # no diarisation to measure speech with; the transcript must fit the recording
        warnings = audio_warnings(audio, 0, None) + transcript_fit_warnings(imported, audio)
        summary = AudioSummary(audio.path, audio.sha256, audio.duration_s)
    # a human transcript: its language is what the manifest or --language says
    tagged = stages("tag", tag_utterances, meeting, options, utterances, part.speakers, options.transcription.language)
    return _computed(
        meeting,
        key,
        tagged,
        stages,
        audio=summary,
        transcript=None,
        diarisation=None,
        words=None,
        utterances=utterances,
        warnings=warnings,
        imported=part,
    )


def _computed(meeting: MeetingSpec, key: MeetingKey, tagged: Tagged, stages: _Stages, **rows) -> ComputedMeeting:
    """The computed meeting: its ``rows`` (audio, transcript, utterances… or the import's), with
    what every source shares — its key, the tag stage's outcome and the stages' timings."""
    return ComputedMeeting(
        meeting_id=meeting.id,
        processing_key=key.processing_key,
        reason=tagged.note,
        tag_failure=tagged.failure,
        tagger=tagged.tagger,
        tag_rows=tagged.rows,
        tag_roles=tagged.roles,
        timings_s=stages.timings_s,
        **rows,
    )


# --- the stages ---------------------------------------------------------------------------------


def align_meeting(
    transcript: Transcript, diarisation: Diarisation, options: AlignOptions
) -> tuple[list[AttributedWord], list[Utterance]]:
    """Each word to the speaker speaking then, and the words into utterances with their confidence."""
    words = align_words_to_speakers(transcript.words, diarisation.exclusive_turns, options)
    return words, speaker_confidence(build_utterances(words, options), diarisation.attribution_margin)


def read_imported_transcript(
    meeting: MeetingSpec, prior: PriorState
) -> tuple[ImportedTranscript, list[ImportedUtterance], ImportedPart]:
    """Read the meeting's human transcript into utterances and match its speakers' names to the
    manifest's participants; a mapping a person made for a name is kept (`imported_speaker_mapping`).
    A participant who withdrew from this meeting stays withdrawn: their utterances are left out."""
    from dialogic.transcript_import import read_transcript
    from dialogic.transcript_import.matching import label_segments, match_speakers

    imported = read_transcript(meeting.transcript)
    utterances = label_segments(imported.segments)
    labels = list(dict.fromkeys(u.speaker for u in utterances))
    matched, _ = match_speakers(labels, meeting.participants)
    speakers, changes = imported_speaker_mapping(meeting, matched, prior.hand_mappings())
    by_hand = {label for label, s in speakers.items() if s.participant_id and s.mapped_by != NAME_MATCH}
    _, unmatched = match_speakers([label for label in labels if label not in by_hand], meeting.participants)
    utterances, speakers, left_out = leave_out_withdrawn(utterances, speakers, set(prior.withdrawn))
    part = ImportedPart(imported.timed, speakers, changes, [*imported.notes, *unmatched, *left_out])
    return imported, utterances, part


def imported_speaker_mapping(
    meeting: MeetingSpec, matched: dict[str, str | None], hand_mapped: list[StoredSpeaker]
) -> tuple[dict[str, StoredSpeaker], list[MappingChange]]:
    """Each label of an imported transcript → its mapping, and what happened to stored ones.

    The transcript's name is the speaker's identity, so a mapping a person made (`dialogic
    speakers map`; ``hand_mapped``, by label) stays with the same name on a re-import, over the
    name match; one whose name is gone from the transcript, or whose participant is gone from the
    manifest, is dropped. Every other label takes its name match (``matched``: label →
    participant id or None).
    """
    now = dt.datetime.now()
    mapping = {
        label: StoredSpeaker(label, pid, now if pid else None, NAME_MATCH if pid else None)
        for label, pid in matched.items()
    }
    participants = {p.id for p in meeting.participants}
    changes = []
    for s in hand_mapped:
        label, pid = s.speaker_label, s.participant_id
        if label in mapping and pid in participants:
            mapping[label] = StoredSpeaker(label, pid, s.mapped_at, s.mapped_by)
            changes.append(MappingChange(pid, label, label, "kept", None, "the same name in the transcript"))
        else:
            reason = "the name is no longer in the transcript" if label not in mapping else "not in the manifest now"
            changes.append(MappingChange(pid, label, None, "dropped", None, reason))
    return mapping, changes


def leave_out_withdrawn(
    utterances: list[ImportedUtterance], speakers: dict[str, StoredSpeaker], withdrawn: set[str]
) -> tuple[list[ImportedUtterance], dict[str, StoredSpeaker], list[str]]:
    """The utterances and speakers less those of withdrawn participants, and a warning saying so."""
    gone = {label: s.participant_id for label, s in speakers.items() if s.participant_id in withdrawn}
    if not gone:
        return utterances, speakers, []
    kept = [u for u in utterances if u.speaker not in gone]
    warning = (
        f"{len(utterances) - len(kept)} utterance(s) of withdrawn participant(s) "
        f"{', '.join(sorted(set(gone.values())))} left out: their consent was withdrawn"
    )
    return (
        [dataclasses.replace(u, index=i) for i, u in enumerate(kept)],
        {label: s for label, s in speakers.items() if label not in gone},
        [warning],
    )


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


def should_tag(meeting: MeetingSpec, options: PipelineOptions) -> bool:
    """Tagging is on and the meeting's consent covers analysis."""
    return options.tag and "analyse" in meeting.consent.scope and meeting.consent.status == "given"


def language_note(language: str | None) -> str | None:
    """Why a meeting in ``language`` is not tagged (None: it is): the taggers read English only,
    and tags on another language would be silently wrong."""
    if language == TAGGER_LANGUAGE:
        return None
    if language is None:  # only an imported transcript has no language: nothing detects it
        return (
            "not tagged: the transcript's language is not given (add `language: en` to the meeting in the "
            "manifest, or pass --language); transcript, speakers and shares are stored"
        )
    return (
        f"not tagged: the tagger reads {TAGGER_LANGUAGE!r} and this meeting is in {language!r}; "
        "transcript, speakers and voice shares are stored"
    )


def speaker_roles(
    meeting: MeetingSpec, utterances: list[Utterance] | list[ImportedUtterance], mapped: dict[str, StoredSpeaker]
) -> list[str | None]:
    """The speaker -> participant -> role rule of compute_speaker_roles, applied in memory to
    utterances not stored yet: a speaker's role is its mapped participant's (``mapped``: label →
    the mapping the store will write), else None."""
    roles_by_id = {p.id: p.role for p in meeting.participants}
    return [roles_by_id.get(mapped[u.speaker].participant_id) if u.speaker in mapped else None for u in utterances]


def tag_utterances(
    meeting: MeetingSpec,
    options: PipelineOptions,
    utterances: list[Utterance] | list[ImportedUtterance],
    mapped: dict[str, StoredSpeaker],
    language: str | None,
) -> Tagged:
    """Tag utterances not stored yet, each read with its speaker's role (``mapped``: label → the
    mapping the store will write). A tagger that fails to load is a `Tagged.failure`: the rest of
    the meeting is stored and a re-run tags it."""
    if not should_tag(meeting, options):
        return Tagged()
    note = language_note(language)
    if note is not None:
        return Tagged(note=note)
    if not utterances:  # no speech: nothing to tag, and no reason to load the tagger
        return Tagged()
    from dialogic.tagging.tag_store import predict_tag_rows
    from dialogic.tagging.tagger import load_tagger

    try:
        tagger = load_tagger(options.tagger)
    except DialogicError as exc:
        return Tagged(failure=f"tag: {exc} (transcript and speakers are stored; re-run to tag)")
    roles = speaker_roles(meeting, utterances, mapped)
    ids = [utterance_id(meeting.id, u.index) for u in utterances]
    texts, speakers = [u.text for u in utterances], [u.speaker for u in utterances]
    with torch_threads(cpu_threads(options)["tagging"]):
        rows = predict_tag_rows(tagger, ids, texts, roles, speakers=speakers)
    return Tagged(tagger=tagger_record(tagger), rows=rows, roles=roles)


def tagger_record(tagger: Tagger) -> TaggerRecord:
    """What the database keeps of a loaded tagger (see `dialogic.store.tags.register_tagger`)."""
    return TaggerRecord(
        model_version=tagger.model_version,
        name=tagger.name,
        version=tagger.version,
        thresholds={k: float(v) for k, v in tagger.thresholds.items()},
        precision=tagger.precision,
        sha256=tagger.sha256,
        manifest={"recipe": tagger.manifest.get("recipe"), "metrics": tagger.manifest.get("metrics", {})},
    )


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


# --- on a worker process ------------------------------------------------------------------------

# One meeting at a time per worker process, however many threads the engine gives it: a meeting
# uses the process's cores (or its GPU) whole, and the models it loads stay loaded for the next.
_ONE_MEETING = threading.Lock()


def compute_and_stage(
    meeting: MeetingSpec, options: PipelineOptions, prior: PriorState, key: MeetingKey, staging_dir: str
) -> str | FailedMeeting:
    """`compute_meeting` on a worker process, its result left as one staged set of files
    (`dialogic.staging`) for the writer: returns the set's folder. Never raises for a bad
    recording or a failing stage; never opens the database.

    Models are loaded once per worker process and kept (`dialogic.transcribe.load_whisper`,
    `dialogic.diarisation.diarise.load_diarisation_pipeline`, `dialogic.tagging.tagger.load_tagger`
    are cached per process), so only a worker's first meeting pays for loading them.
    """
    from dialogic.staging import stage_meeting

    with _ONE_MEETING:
        use_cores(options)
        computed = compute_meeting(meeting, options, prior, key)
        if isinstance(computed, FailedMeeting):
            return computed
        try:
            folder = stage_meeting(staging_dir, computed)
        except (OSError, StagingError) as exc:
            reason = f"staging: {staging_dir}: {exc.__class__.__name__}: {exc}"
            return FailedMeeting(meeting.id, reason, computed.timings_s)
        return str(folder)


def load_models(options: PipelineOptions) -> None:
    """Load, in this worker process, the models a meeting with ``options`` needs (transcription in
    its own process, diarisation, the tagger), so that the first meeting does not pay for them;
    e.g. ``client.run(load_models, options)`` on every Dask worker."""
    import numpy as np

    from dialogic.diarisation.diarise import load_diarisation_pipeline
    from dialogic.tagging.tagger import load_tagger

    with _ONE_MEETING:
        use_cores(options)
        silence = DecodedAudio(Path("<silence>"), np.zeros(16000, dtype=np.float32), 16000, "")
        # with the thread count a meeting uses: the model is cached per (model, device, precision, threads)
        transcription = dataclasses.replace(options.transcription, cpu_threads=cpu_threads(options)["transcription"])
        if parallel_on_cpu(options):
            submit_transcription(silence, transcription).result()
        else:
            transcribe_audio(silence, transcription)
        load_diarisation_pipeline(options.diarisation)
        if options.tag:
            load_tagger(options.tagger)
