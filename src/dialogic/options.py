"""The option records that shape a run, one per stage plus the pipeline's own.

Frozen and free of heavy imports: they are hashed into each meeting's processing key, stored with
its run, sent to the transcription worker and shown in `--help`, so importing them must not load
torch or a model library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OFFLINE_PIPELINE = "offline"
SPEAKER_HINTS = ("max", "exact", "none")


@dataclass(frozen=True)
class TranscriptionOptions:
    """Options for `transcribe_audio`.

    model: a faster-whisper model name — ``base`` (multilingual, the default) and ``tiny.en``
        (English only, faster) run offline; any other name, e.g. ``large-v3`` or
        ``distil-large-v3``, needs hub access — or the path of a CTranslate2 folder.
    device: ``cpu``, ``cuda`` or ``auto``.
    compute_type: CTranslate2 precision; ``int8`` is fastest on CPU, ``float16`` on CUDA.
    language: spoken language code (e.g. ``de``), or None to detect it (English-only ``.en`` models
        always transcribe English). A meeting's ``language:`` in the manifest overrides it.
    beam_size: beam search width; 5 is faster-whisper's default accuracy setting, 1 is greedy.
    vad_filter: skip non-speech with Silero VAD before decoding (fewer hallucinated words).
    batch_size: 0 decodes each window's speech one 30 s stretch after another, each conditioned
        on where the last one ended (faster-whisper's ``WhisperModel.transcribe``); above 0, the
        window's speech is cut by Silero VAD into chunks of at most 30 s that are decoded this many
        at a time, each on its own (faster-whisper's ``BatchedInferencePipeline``; needs
        ``vad_filter``). Figures for both: docs/scale.md.
    cpu_threads: CTranslate2 threads; 0 lets it choose (all cores).
    window_s: transcribe recordings longer than this in windows of at most this many seconds, cut
        at pauses (`dialogic.asr_windows`), so the worker's memory is that of one window however
        long the meeting (0.65–0.74 GB in all for 300 s); 0 transcribes the whole recording at
        once, as faster-whisper alone does (4.9 GB for 2 hours). Windows change some words where
        decoding restarts, not the accuracy: on 40 min of synthesised speech with known words, WER 0.090 in
        300 s windows against 0.098 in one pass (docs/long-meetings.md).
    """

    model: str = "base"
    device: str = "cpu"
    compute_type: str = "int8"
    language: str | None = None
    beam_size: int = 5
    vad_filter: bool = True
    batch_size: int = 0
    cpu_threads: int = 0
    window_s: float = 300.0


@dataclass(frozen=True)
class DiarisationOptions:
    """Options for `diarise_audio`.

    pipeline: ``offline`` (segmentation-3.0 + CAM++ from registry wheels), a pyannote hub id such as
        ``pyannote/speaker-diarization-community-1`` (needs DIALOGIC_ALLOW_HUB=1 and usually
        HF_TOKEN), or a local folder holding a pyannote pipeline ``config.yaml``.
    clustering_threshold: agglomerative (centroid) distance threshold between unit-normalised CAM++
        embeddings, also the distance beyond which a left-out voice is a new speaker. 0.65: on the
        30 s AMI dev clips 0.55–0.65 keep 6/8 speaker counts right and 0.7 merges speakers; on 60 s
        joins of them 0.6 splits a speaker, 0.65 does not (docs/diarisation.md).
    min_cluster_size: clusters smaller than this are merged into the nearest large one (pyannote
        lowers it to 10 % of the clustered embeddings on short audio, so 12 only acts on long files).
    new_speakers: after agglomerative clustering, local speakers left out of it (under 2 s of clean
        speech in their 10 s chunk) that are further than the threshold from every cluster form new
        speakers, within max_speakers (`dialogic.diarisation.clustering`). Without it a person who
        only speaks briefly is merged into someone else.
    new_speaker_min_chunks: a new speaker must be seen in at least this many chunks.
    constrained_assignment: two local speakers of one chunk never get the same speaker
        (pyannote's Hungarian assignment).
    min_duration_off: fill non-speech gaps shorter than this, in seconds.
    segmentation_step: sliding-window step as a fraction of the 10 s window (0.1 = 1 s).
    embedding_mode: ``file`` computes CAM++ frame features once per file and pools them per
        (chunk, speaker); ``chunk`` is pyannote's stock per-chunk embedding (about 7× the work).
    embedding_exclude_overlap: pool each (chunk, speaker) embedding over only the frames where that
        speaker talks alone (as pyannote's speaker-diarization-3.1 does). Off: with new_speakers it
        raised pooled confusion on the AMI dev clips (docs/diarisation.md).
    count_method: how many people speak at each instant. ``decisions`` is pyannote's (the rounded
        mean, over the 10 s chunks covering it, of segmentation's most probable speaker set);
        ``posteriors`` reads it from segmentation's probabilities: the chunks' mean P(speech)
        against speech_threshold, their mean P(two speakers) against overlap_threshold
        (`dialogic.diarisation.posteriors`).
        On the AMI dev clips it wins back 0.024 of 0.250 missed speech (pooled DER 0.342 → 0.333,
        worst voice-share error 17.0 → 14.6) at the price of confusion 0.076 → 0.085; nothing is
        lost after the count (docs/diarisation.md).
    speech_threshold, overlap_threshold: for ``count_method=posteriors``. 0.5 is the model's own
        decision for speech (lower adds false alarm as fast as it removes missed speech); 0.4, the
        middle of 0.3–0.5 for overlap (0.3 degrades the bundled sample and the 60 s joins).
    speaker_activations: which speakers fill that count at each instant: ``decisions`` ranks them
        by segmentation's hard decisions summed over chunks (pyannote), ``posteriors`` by its
        per-speaker probabilities, ``ties`` by the decisions with ties (e.g. a second speaker no
        chunk decided on, which pyannote gives to an arbitrary speaker) broken by the probabilities.
    embedding_batch_size, segmentation_batch_size: chunks per forward pass.
    device: ``cpu`` or ``cuda``.
    """

    pipeline: str = OFFLINE_PIPELINE
    clustering_threshold: float = 0.65
    min_cluster_size: int = 12
    new_speakers: bool = True
    new_speaker_min_chunks: int = 3
    constrained_assignment: bool = True
    min_duration_off: float = 0.0
    segmentation_step: float = 0.1
    embedding_mode: str = "file"
    embedding_exclude_overlap: bool = False
    count_method: str = "posteriors"
    speech_threshold: float = 0.5
    overlap_threshold: float = 0.4
    speaker_activations: str = "ties"
    embedding_batch_size: int = 32
    segmentation_batch_size: int = 32
    device: str = "cpu"


@dataclass(frozen=True)
class AlignOptions:
    """Options for `align_words_to_speakers` and `build_utterances`.

    max_gap_s: a word overlapping no turn takes the nearest turn's speaker if that turn is at most
        this far away; further than that the word stays unattributed (speaker None).
    max_pause_s: a silence longer than this between two words starts a new utterance.
    split_at_sentence_end: start a new utterance after a word ending in . ? or !
    """

    max_gap_s: float = 1.0
    max_pause_s: float = 1.0
    split_at_sentence_end: bool = True


@dataclass(frozen=True)
class PipelineOptions:
    """Everything that shapes a run.

    speaker_hint: how the manifest's participant count reaches diarisation: ``max`` (at most that
        many speakers; default, since a listed participant may stay silent), ``exact`` or ``none``.
    tag: run the utterance taggers after storing (needs consent scope ``analyse``).
    purge_withdrawn: remove everything stored for meetings whose manifest consent is now
        ``withdrawn`` (`dialogic.consent.withdraw_meeting`); without it they are reported and kept.
    tagger: tagger model version to use; None picks the newest shipped one.
    parallel_cpu: on CPU, transcribe in a worker process while diarising here, half the cores each.
    cpu_cores: the cores one meeting may use on CPU, split between transcription and diarisation
        (1: one after the other); 0: every core this process may run on. A Dask worker is given its
        share. The threads each model stage gets follow from it (`dialogic.cores.cpu_threads`)
        and are part of the processing key and the run record, since PyTorch's arithmetic depends on
        its thread count (CAM++ voice embeddings differ between one thread and two). Runs with the
        same cores give the same rows, whatever the thread environment (docs/scale.md).
    """

    transcription: TranscriptionOptions = field(default_factory=TranscriptionOptions)
    diarisation: DiarisationOptions = field(default_factory=DiarisationOptions)
    align: AlignOptions = field(default_factory=AlignOptions)
    speaker_hint: str = "max"
    tag: bool = True
    tagger: str | None = None
    parallel_cpu: bool = True
    cpu_cores: int = 0
    purge_withdrawn: bool = False
