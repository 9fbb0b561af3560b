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
    try:
        samples = _decode(str(path), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError, StopIteration) as exc:
        # IndexError/StopIteration: PyAV opened the container but found no audio stream.
        raise AudioError(f"{path}: cannot decode audio ({exc.__class__.__name__}: {exc})") from exc
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if samples.size < SAMPLE_RATE // 10:
        raise AudioError(f"{path}: holds {samples.size / SAMPLE_RATE:.3f} s of audio, too short to process")
    return DecodedAudio(path=path, samples=samples, sample_rate=SAMPLE_RATE, sha256=sha256)
