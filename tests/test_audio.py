"""Decoding real files that are not usable recordings: each gives an error naming the file and why."""

from __future__ import annotations

import av
import numpy as np
import pytest

from dialogic.audio import decode_audio
from dialogic.errors import AudioError


def _video_only_mp4(path) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(10):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_a_video_without_sound_is_named_as_such(tmp_path):
    video = tmp_path / "meeting.mp4"
    _video_only_mp4(video)
    with pytest.raises(AudioError, match=r"meeting\.mp4: has no audio stream \(it holds video\)"):
        decode_audio(video)


def test_a_file_that_is_not_media_is_named_as_such(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("minutes of the meeting, not a recording\n" * 20)
    with pytest.raises(AudioError, match=r"notes\.wav: not a media file"):
        decode_audio(text)


def test_mean_square_by_blocks_is_the_mean_square():
    from dialogic.audio import mean_square

    samples = np.random.default_rng(0).normal(0, 0.1, 3_000_017).astype(np.float32)
    expected = float(np.mean(np.square(samples, dtype=np.float64)))
    assert mean_square(samples) == pytest.approx(expected, rel=1e-12)
    assert mean_square(samples, block=1000) == pytest.approx(expected, rel=1e-12)
    assert mean_square(samples[:5], block=2) == pytest.approx(float(np.mean(np.square(samples[:5], dtype=np.float64))))


def test_a_clip_of_a_tenth_of_a_second_is_kept_with_a_warning(tmp_path):
    import wave

    from dialogic.audio import audio_warnings

    clip = tmp_path / "clip.wav"
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(1600) / 16000) * 32767).astype(np.int16)
    with wave.open(str(clip), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(tone.tobytes())
    audio = decode_audio(clip)
    assert audio.duration_s == pytest.approx(0.1, abs=0.01)
    (warning,) = audio_warnings(audio, words=0, speech_s=None)
    assert warning.startswith("only 0.1 s of audio") and "too short" in warning
    assert not any("too short" in w for w in audio_warnings(_seconds_of_tone(12.0), words=0, speech_s=None))


def _seconds_of_tone(seconds: float):
    from pathlib import Path

    from dialogic.records import DecodedAudio

    samples = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(16000 * seconds)) / 16000)).astype(np.float32)
    return DecodedAudio(Path("tone.wav"), samples, 16000, "")
