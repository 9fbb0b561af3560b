"""Decode meeting audio once, to 16 kHz mono float32, for every later stage."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dialogic.errors import AudioError
from dialogic.files import sha256_file
from dialogic.records import DecodedAudio

SAMPLE_RATE = 16000


def audio_sha256(path: str | Path) -> str:
    """The sha256 of an audio file's bytes; raises AudioError naming the file when it is missing
    or empty. Cheap next to decoding, so a stored meeting is recognised without decoding it."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty")
    return sha256_file(path)


def decode_audio(path: str | Path, *, sha256: str | None = None) -> DecodedAudio:
    """Read any format FFmpeg (through PyAV) reads, resampled to 16 kHz mono. ``sha256``: the
    file's `audio_sha256` when the caller has it already.

    Raises AudioError naming the file when it is missing, unreadable or holds no audio.
    """
    import av  # PyAV ships its own FFmpeg; no system FFmpeg is needed
    from faster_whisper.audio import decode_audio as _decode

    path = Path(path)
    sha256 = sha256 or audio_sha256(path)
    _require_audio_stream(path, av)
    try:
        samples = _decode(str(path), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError, StopIteration) as exc:
        # IndexError/StopIteration: PyAV opened the container but found no audio stream.
        raise AudioError(f"{path}: cannot decode audio ({exc.__class__.__name__}: {exc})") from exc
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if samples.size < SAMPLE_RATE // 10:
        raise AudioError(f"{path}: holds {samples.size / SAMPLE_RATE:.3f} s of audio, too short to process")
    return DecodedAudio(
        path=path,
        samples=samples,
        sample_rate=SAMPLE_RATE,
        sha256=sha256,
        declared_duration_s=_declared_duration_s(path),
    )


def _require_audio_stream(path: Path, av) -> None:
    """A container FFmpeg opens but with no audio stream (a video-only mp4, an image) is named as such."""
    try:
        with av.open(str(path)) as container:
            kinds = [stream.type for stream in container.streams]
    except av.error.FFmpegError as exc:
        raise AudioError(f"{path}: not a media file FFmpeg can read ({exc.__class__.__name__}: {exc})") from exc
    if "audio" not in kinds:
        found = ", ".join(sorted(set(kinds))) or "no streams"
        raise AudioError(f"{path}: has no audio stream (it holds {found}); a recording needs its sound track")


def _declared_duration_s(path: Path) -> float | None:
    """The audio stream's duration as the container declares it (None when it does not say).
    For WAV that is the header's data size: FFmpeg estimates a WAV's duration from the file
    size, which a truncated file shrinks with it."""
    import wave

    import av

    try:
        with wave.open(str(path), "rb") as header:
            return header.getnframes() / header.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        pass  # not a PCM WAV file: ask the container
    try:
        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is not None and stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return container.duration / 1_000_000 if container.duration else None
    except (av.error.FFmpegError, OSError):
        return None


# Thresholds of the warnings a run stores with a meeting (see audio_warnings).
SILENT_DBFS = -55.0
MIN_SPEECH_SHARE = 0.05
MIN_DECODED_SHARE = 0.95
# A network meeting lasts most of an hour; a recording of seconds is a wrong or cut file, and the
# shares and rates computed from it mean nothing.
MIN_RECORDING_S = 10.0


def mean_square(samples: np.ndarray, *, block: int = 1 << 20) -> float:
    """Mean of the squared samples, summed in float64 a block at a time: squaring a whole
    recording at once in float64 would take twice its float32 size again (0.9 GB for 2 hours)."""
    total = 0.0
    for start in range(0, samples.size, block):
        total += float(np.square(samples[start : start + block], dtype=np.float64).sum())
    return total / samples.size


def audio_warnings(audio: DecodedAudio, words: int, speech_s: float | None) -> list[str]:
    """What about a recording makes its figures doubtful, each as one sentence: nearly silent,
    shorter when decoded than its container declares (truncated or corrupt), or almost no speech
    found by diarisation (noise only — words transcribed from it are likely invented).
    ``speech_s`` None: no diarisation ran (an imported transcript), so speech is not checked."""
    found = []
    duration_s = audio.duration_s
    if duration_s < MIN_RECORDING_S:
        found.append(
            f"only {duration_s:.1f} s of audio (under {MIN_RECORDING_S:.0f} s): too short for its figures to mean anything"
        )
    rms = float(np.sqrt(mean_square(audio.samples))) if audio.samples.size else 0.0
    level_dbfs = 20 * np.log10(rms) if rms > 0 else float("-inf")
    if level_dbfs < SILENT_DBFS:
        found.append(f"nearly silent: average level {level_dbfs:.0f} dBFS (below {SILENT_DBFS:.0f})")
    declared = audio.declared_duration_s
    if declared and duration_s < MIN_DECODED_SHARE * declared:
        found.append(f"decoded {duration_s:.1f} s of the {declared:.1f} s the file declares: truncated or corrupt")
    if speech_s is not None and speech_s < MIN_SPEECH_SHARE * duration_s:
        note = f"; the {words} transcribed words are likely invented" if words else ""
        found.append(f"almost no speech: {speech_s:.1f} s of {duration_s:.1f} s diarised as speech{note}")
    return found
