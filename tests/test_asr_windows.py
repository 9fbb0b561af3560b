"""Transcription windows of a long recording: cut at pauses, read piecewise, words put back in
recording time. Unit tests of dialogic's own logic with a fake recogniser passed in (the real
model's agreement with one-pass transcription is checked in test_transcribe.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from dialogic.asr_windows import quietest_start, read_array, window_bounds
from dialogic.options import TranscriptionOptions
from dialogic.transcribe import transcribe_windows

RATE = 100  # samples per second: enough for the logic, small enough to reason about


def bursts(spans_s: list[tuple[float, float]], length_s: float, *, rate: int = RATE) -> np.ndarray:
    """Silence with a loud burst ("a word") over each (start_s, end_s)."""
    samples = np.zeros(int(length_s * rate), dtype=np.float32)
    for start, end in spans_s:
        samples[int(start * rate) : int(end * rate)] = 0.5
    return samples


def test_quietest_start_finds_the_pause():
    samples = np.ones(1000, dtype=np.float32)
    samples[600:650] = 0.01
    assert quietest_start(samples, 50) == 600
    assert quietest_start(samples, 20) == 600  # the earliest of equally quiet spans
    assert quietest_start(samples[:10], 50) == 0  # shorter than the span


def test_a_recording_within_one_window_is_read_whole():
    assert list(window_bounds(read_array(np.zeros(500)), 500, RATE, window_s=5)) == [(0, 500)]
    assert list(window_bounds(read_array(np.zeros(501)), 501, RATE, window_s=0)) == [(0, 501)]


def test_windows_cover_the_recording_and_end_in_pauses():
    # words of 1.5 s with pauses of 0.5 s: a cut anywhere but a pause would split a word
    words = [(t, t + 1.5) for t in np.arange(0.0, 118.0, 2.0)]
    samples = bursts(words, 120.0)
    reads = []

    def read(start, stop):
        reads.append((start, stop))
        return samples[start:stop]

    bounds = list(window_bounds(read, len(samples), RATE, window_s=30, search_s=10, quiet_s=0.2))
    assert bounds[0][0] == 0 and bounds[-1][1] == len(samples)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))  # no gap, no overlap
    assert all(0 < stop - start <= 30 * RATE for start, stop in bounds)
    for _, cut in bounds[:-1]:
        assert samples[cut] == 0 and samples[cut - 1] == 0  # inside a pause
    # only the search regions were read, not the recording
    assert sum(stop - start for start, stop in reads) == 10 * RATE * (len(bounds) - 1)


def test_windows_are_about_equal_with_no_short_remainder():
    samples = np.random.default_rng(0).normal(0, 0.1, 100 * RATE).astype(np.float32)
    lengths = [stop - start for start, stop in window_bounds(read_array(samples), len(samples), RATE, window_s=30)]
    assert len(lengths) == 4 and min(lengths) >= 21 * RATE and max(lengths) <= 30 * RATE


def test_window_options_are_checked():
    with pytest.raises(ValueError, match="search_s < window_s"):
        list(window_bounds(read_array(np.zeros(1000)), 1000, RATE, window_s=5, search_s=5))


class FakeRecogniser:
    """A stand-in for WhisperModel: one word per burst of its input, timed within that input.
    Detects language "xx" when not told one."""

    def __init__(self):
        self.calls = []  # (samples in the window, language asked)

    def transcribe(self, audio, *, language, **options):
        self.calls.append((len(audio), language))
        loud = np.flatnonzero(np.diff(np.concatenate([[0], (audio > 0.1).astype(int), [0]])))
        starts, ends = loud[::2], loud[1::2]
        segments = [
            SimpleNamespace(
                end=e / RATE, words=[SimpleNamespace(start=s / RATE, end=e / RATE, word=" w", probability=0.9)]
            )
            for s, e in zip(starts, ends)
        ]
        info = SimpleNamespace(language=language or "xx", language_probability=None if language else 0.8)
        return iter(segments), info


def test_words_come_back_in_recording_time_once_each():
    spans = [(t, t + 1.5) for t in np.arange(0.0, 118.0, 2.0)]
    samples = bursts(spans, 120.0)
    fake = FakeRecogniser()
    progress = []
    words, info = transcribe_windows(
        fake,
        read_array(samples),
        len(samples),
        RATE,
        TranscriptionOptions(model="base", window_s=30),
        progress=lambda done, total: progress.append(done),
    )
    assert len(fake.calls) >= 4  # several windows
    assert [(w.start_s, w.end_s) for w in words] == [(round(a, 3), round(b, 3)) for a, b in spans]
    assert progress == sorted(progress) and progress[-1] == 120.0
    # the first window detected the language; the others were told it
    assert info.language == "xx" and info.language_probability == 0.8
    assert [language for _, language in fake.calls] == [None] + ["xx"] * (len(fake.calls) - 1)


def test_a_first_window_without_speech_does_not_set_the_language():
    spans = [(t, t + 1.5) for t in np.arange(70.0, 118.0, 2.0)]  # silence for the first 70 s
    samples = bursts(spans, 120.0)
    fake = FakeRecogniser()
    words, info = transcribe_windows(
        fake, read_array(samples), len(samples), RATE, TranscriptionOptions(model="base", window_s=30)
    )
    languages = [language for _, language in fake.calls]
    assert languages[:2] == [None, None] and languages[-1] == "xx"
    assert info.language_probability == 0.8  # from the window that detected it
    assert len(words) == len(spans)


def test_an_english_only_model_is_always_told_english():
    samples = bursts([(1.0, 2.0)], 100.0)
    fake = FakeRecogniser()
    transcribe_windows(
        fake, read_array(samples), len(samples), RATE, TranscriptionOptions(model="tiny.en", window_s=30)
    )
    assert {language for _, language in fake.calls} == {"en"}
