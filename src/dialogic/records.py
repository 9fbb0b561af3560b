"""The records that pass between dialogic's stages: plain dataclasses, no logic, no heavy imports.

    DecodedAudio ─ transcribe ─▶ Transcript(words: [Word])
                 └ diarise ───▶ Diarisation(turns, exclusive_turns: [SpeakerTurn])
    Word + SpeakerTurn ─ align ─▶ [AttributedWord] ─ build ─▶ [Utterance]
    a human transcript file ─ read ─▶ ImportedTranscript(segments: [TranscriptSegment])
        ─ match names to participants ─▶ [ImportedUtterance]
    one meeting computed (`dialogic.compute`) ─▶ ComputedMeeting | FailedMeeting ─ stored ─▶ MeetingResult
    (on a worker, a ComputedMeeting travels to the one writer as staged files); a batch ─▶ BatchReport

Times are seconds from the start of the recording (``start_s``, ``end_s``); an imported
transcript without times (plain text) has ``None`` there, never an invented time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dialogic.options import DiarisationOptions, TranscriptionOptions

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    import pyarrow as pa


@dataclass(frozen=True)
class DecodedAudio:
    """A recording decoded once, to 16 kHz mono float32, for every later stage."""

    path: Path
    samples: np.ndarray  # float32, mono, at sample_rate
    sample_rate: int
    sha256: str
    declared_duration_s: float | None = None  # what the container says, to catch truncation

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class AudioSummary:
    """What the database keeps of a decoded recording, without its samples (a worker's staged
    meeting carries no audio to the writer)."""

    path: Path
    sha256: str
    duration_s: float


@dataclass(frozen=True)
class Word:
    start_s: float
    end_s: float
    word: str
    probability: float


@dataclass(frozen=True)
class Transcript:
    words: list[Word]
    language: str  # given, or detected by the model
    model: str
    model_sha256: str | None
    options: TranscriptionOptions = field(default_factory=TranscriptionOptions)
    language_probability: float | None = None  # the model's confidence when it detected the language


@dataclass(frozen=True)
class SpeakerTurn:
    speaker: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class FrameSeries:
    """A value per frame of a regular grid: frame i is centred on ``start_s + i * step_s``. NaN
    where the value is undefined."""

    start_s: float
    step_s: float
    values: tuple[float, ...]


@dataclass(frozen=True)
class Diarisation:
    turns: list[SpeakerTurn]  # overlap-aware
    exclusive_turns: list[SpeakerTurn]  # at most one speaker at a time; used to attach words
    speakers: list[str]
    options: DiarisationOptions = field(default_factory=DiarisationOptions)
    # speaker → unit-length centroid of their voice (the embedding model's space; empty when the
    # pipeline gives none); what lets a mapping follow a voice from one run to the next
    embeddings: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # per frame of speech, how clearly the speaker given the frame beat the runner-up
    # (`dialogic.diarisation.posteriors.attribution_margin`); None when the pipeline gives none
    attribution_margin: FrameSeries | None = None

    def speech_s(self, speaker: str) -> float:
        return sum(t.end_s - t.start_s for t in self.turns if t.speaker == speaker)


@dataclass(frozen=True)
class AttributedWord:
    word: Word
    speaker: str | None


@dataclass(frozen=True)
class Utterance:
    index: int
    speaker: str | None
    start_s: float
    end_s: float
    words: list[Word]
    # mean attribution margin over the utterance's speech frames (`dialogic.align.
    # speaker_confidence`): 0 = a coin toss between two voices, 1 = every chunk agreed
    speaker_confidence: float | None = None

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)


@dataclass(frozen=True)
class TranscriptSegment:
    """One speaker's stretch of speech in an imported human transcript, as the file gives it."""

    speaker: str  # the name as the transcript writes it
    start_s: float | None  # None: the format has no times (plain text)
    end_s: float | None
    text: str
    line: int  # where the segment starts in the file, 1-based


@dataclass(frozen=True)
class ImportedTranscript:
    """A human transcript read from a file: its segments in the order they are spoken."""

    path: Path
    format: str  # vtt | srt | eaf | textgrid | csv | tsv | txt
    segments: list[TranscriptSegment]
    timed: bool  # every segment has a start and an end
    notes: list[str] = field(default_factory=list)  # what the reader did that the user should know


@dataclass(frozen=True)
class ImportedUtterance:
    """One stored utterance of an imported transcript: a segment under its speaker label (the
    transcript's name, spelled as first seen)."""

    index: int
    speaker: str
    start_s: float | None
    end_s: float | None
    text: str
    line: int


@dataclass(frozen=True)
class MappingChange:
    """What happened to one stored mapping when the meeting was diarised again."""

    participant_id: str
    from_label: str
    to_label: str | None  # None: dropped
    action: str  # kept (same label) | moved (another label has the voice) | dropped
    similarity: float | None  # the share of the stored voice's speech the new speaker speaks in
    reason: str


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
    wall_s: float | None = None  # wall-clock seconds of the whole run (stages may overlap)
    mapping_changes: list[MappingChange] = field(default_factory=list)  # stored mappings kept, moved, dropped
    warnings: list[str] = field(default_factory=list)  # doubts about the recording, stored with the meeting


@dataclass
class BatchReport:
    results: list[MeetingResult] = field(default_factory=list)

    def by_status(self, status: str) -> list[MeetingResult]:
        return [r for r in self.results if r.status == status]


@dataclass(frozen=True)
class TaggerRecord:
    """What the database keeps of the tagger that predicted a staged meeting's tags (the fields
    `dialogic.store.tags.write_tag_rows` reads of a loaded tagger)."""

    model_version: str
    name: str
    version: int
    thresholds: dict[str, float]
    precision: str
    sha256: str | None
    manifest: dict  # the artifact manifest's recipe and metrics


@dataclass(frozen=True)
class StoredSpeaker:
    """A speaker row as stored before a re-run (or as an imported transcript's label will be stored)."""

    speaker_label: str
    participant_id: str | None
    mapped_at: object = None
    mapped_by: str | None = None
    embedding: Sequence[float] | None = None


@dataclass(frozen=True)
class ImportedPart:
    """What a meeting computed from an imported human transcript has besides its utterances."""

    timed: bool  # every utterance has a start and an end
    speakers: dict[str, StoredSpeaker]  # each transcript label → its mapping (a hand mapping kept, else the name match)
    mapping_changes: list[MappingChange]  # what happened to the stored hand mappings
    transcript_warnings: list[str]  # unmatched names, cues with two speakers, withdrawn speech left out


@dataclass(frozen=True)
class ComputedMeeting:
    """One meeting as `dialogic.compute.compute_meeting` computed it: everything the store writes,
    less the database. From audio it has ``transcript``, ``diarisation`` and ``words``; from an
    imported transcript it has ``imported`` instead (and ``audio`` only when the manifest also
    gives the recording).

    ``tag_roles``: the speaker role each utterance was tagged with (from the stored mappings the
    computation was given); the writer re-tags if the mappings it carries differ. ``reason``: a
    note for the run record (e.g. not tagged: another language); ``tag_failure``: tagging failed,
    the rest is stored.
    """

    meeting_id: str
    processing_key: str
    audio: AudioSummary | None
    transcript: Transcript | None
    diarisation: Diarisation | None
    words: list[AttributedWord] | None
    utterances: list[Utterance] | list[ImportedUtterance]
    warnings: list[str] = field(default_factory=list)
    reason: str | None = None
    tag_failure: str | None = None
    tagger: TaggerRecord | None = None
    tag_rows: pa.Table | None = None
    tag_roles: list[str | None] | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    imported: ImportedPart | None = None


@dataclass(frozen=True)
class FailedMeeting:
    """A meeting whose computation failed: the stage and why (``reason`` starts with the stage)."""

    meeting_id: str
    reason: str
    timings_s: dict[str, float] = field(default_factory=dict)
