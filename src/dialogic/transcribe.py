"""Speech-to-text with faster-whisper: words with timestamps and probabilities."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from dialogic.asr_windows import Read, read_array, window_bounds
from dialogic.errors import ModelError
from dialogic.options import TranscriptionOptions
from dialogic.records import DecodedAudio, Transcript, Word

# The offline default and the manifest that provides its weights.
OFFLINE_ASR_MODELS = {"tiny.en": "faster-whisper-tiny.en", "base": "faster-whisper-base"}

# How every window is decoded, beyond `TranscriptionOptions`; part of the ASR model's record, so of
# the processing key and the run record. Temperature 0 only: faster-whisper's default falls back
# to sampling at 0.2, 0.4, ... 1.0 when a window fails its compression-ratio or log-probability
# test, and CTranslate2 seeds that sampling from the operating system once per thread, so the same
# audio gave different words from one run to the next (the AMI clip trn04: 2 or 5 utterances).
# Without the fallback a failing window keeps its greedy/beam result (docs/scale.md).
ASR_DECODING = {"temperature": 0.0, "word_timestamps": True, "condition_on_previous_text": False}


def resolve_asr_model(name: str) -> tuple[str, str | None]:
    """The path or hub name faster-whisper should load, and the sha256 of its weights when known."""
    from dialogic.weights import get_manifest, require_weights

    if name in OFFLINE_ASR_MODELS:
        manifest = get_manifest(OFFLINE_ASR_MODELS[name])
        return str(require_weights(manifest.name)), manifest.files["model.bin"]
    path = Path(name).expanduser()
    if path.is_dir():
        weights = path / "model.bin"
        if not weights.is_file():
            raise ModelError(f"{path}: not a CTranslate2 model folder (no model.bin)")
        stat = weights.stat()
        return str(path), _weights_sha256(str(weights.resolve()), stat.st_size, stat.st_mtime_ns)
    from faster_whisper import available_models

    if name not in available_models():
        raise ModelError(
            f"Invalid faster-whisper model {name!r}, expected a CTranslate2 folder or one of: "
            + ", ".join(available_models())
        )
    if os.environ.get("DIALOGIC_ALLOW_HUB") != "1":
        raise ModelError(
            f"faster-whisper model {name!r} is not available offline. Either set DIALOGIC_ALLOW_HUB=1 "
            f"(on a machine with Hugging Face hub access) so it can be downloaded, or convert it once "
            f"elsewhere and pass the CTranslate2 folder's path as the model. Offline models: "
            + ", ".join(OFFLINE_ASR_MODELS)
        )
    return name, None


@functools.lru_cache(maxsize=8)
def _weights_sha256(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a model file, hashed once per process while its size and mtime stay the same
    (a large-v3 model.bin is 3 GB and is asked for at every meeting)."""
    from dialogic.files import sha256_file

    return sha256_file(Path(path))


@functools.lru_cache(maxsize=2)
def load_whisper(model: str, device: str, compute_type: str, cpu_threads: int):
    """Load a WhisperModel once per (model, device, precision)."""
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(model, device=device, compute_type=compute_type, cpu_threads=cpu_threads)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"faster-whisper could not load {model!r} on {device}: {exc}") from exc


def transcribe_audio(
    audio: DecodedAudio,
    options: TranscriptionOptions = TranscriptionOptions(),
    progress: Callable[[float, float], None] | None = None,
) -> Transcript:
    """Transcribe decoded audio into words with start/end seconds and probabilities.

    ``progress(done_s, total_s)`` is called as each segment is decoded, with the seconds of audio
    transcribed so far.
    """
    return transcribe_samples(read_array(audio.samples), len(audio.samples), audio.sample_rate, options, progress)


def transcribe_samples(
    read: Read,
    num_samples: int,
    sample_rate: int,
    options: TranscriptionOptions = TranscriptionOptions(),
    progress: Callable[[float, float], None] | None = None,
) -> Transcript:
    """`transcribe_audio` over ``num_samples`` samples that ``read(start, stop)`` gives, window by
    window (``options.window_s``; see `dialogic.asr_windows`), so only one window is ever in memory
    here."""
    path, sha256 = resolve_asr_model(options.model)
    model = window_decoder(load_whisper(path, options.device, options.compute_type, options.cpu_threads), options)
    words, info = transcribe_windows(model, read, num_samples, sample_rate, options, progress)
    return Transcript(
        words=words,
        language=info.language,
        model=options.model,
        model_sha256=sha256,
        options=options,
        language_probability=None if info.language_probability is None else round(info.language_probability, 4),
    )


def transcribe_windows(
    model,
    read: Read,
    num_samples: int,
    sample_rate: int,
    options: TranscriptionOptions,
    progress: Callable[[float, float], None] | None = None,
) -> tuple[list[Word], object]:
    """Words of every window of the recording, in recording time, and the faster-whisper
    ``TranscriptionInfo`` that says its language. ``model``: a loaded ``WhisperModel``, or with
    ``options.batch_size`` the ``BatchedInferencePipeline`` around one (`window_decoder`). Without a
    given language, the first window with words sets it for the rest, as faster-whisper's one pass
    over a whole recording detects it from its first speech."""
    total_s = num_samples / sample_rate
    language = options.language if not options.model.endswith(".en") else "en"
    batching = {"batch_size": options.batch_size} if options.batch_size > 0 else {}
    first = detected = None  # the first window's TranscriptionInfo; that of the one that set the language
    words = []
    for start, stop in window_bounds(read, num_samples, sample_rate, window_s=options.window_s):
        offset_s = start / sample_rate
        segments, info = model.transcribe(
            read(start, stop),
            language=language,
            beam_size=options.beam_size,
            vad_filter=options.vad_filter,
            **ASR_DECODING,
            **batching,
        )
        found = len(words)
        for segment in segments:  # a lazy generator: each step decodes one more segment
            words += [
                Word(
                    start_s=round(offset_s + w.start, 3),
                    end_s=round(offset_s + max(w.end, w.start), 3),
                    word=w.word.strip(),
                    probability=round(w.probability, 4),
                )
                for w in (segment.words or [])
                if w.word.strip()
            ]
            if progress is not None:
                progress(min(offset_s + segment.end, total_s), total_s)
        first = first or info
        if language is None and len(words) > found:
            language, detected = info.language, info
    if progress is not None:
        progress(total_s, total_s)
    return words, detected or first


def window_decoder(model, options: TranscriptionOptions):
    """What decodes each window: the loaded ``WhisperModel`` itself (one 30 s stretch after
    another), or with ``options.batch_size`` faster-whisper's ``BatchedInferencePipeline`` around it
    (Silero VAD's speech chunks of at most 30 s, that many to a forward pass)."""
    if options.batch_size <= 0:
        return model
    if not options.vad_filter:
        raise ModelError(
            f"batch_size {options.batch_size} needs vad_filter: batched decoding cuts the speech at Silero VAD's pauses"
        )
    from faster_whisper import BatchedInferencePipeline

    return BatchedInferencePipeline(model)
