"""Cut a long recording into transcription windows at pauses, reading only what each cut needs.

faster-whisper prepares the whole input at once: Silero VAD over all of it, the speech joined
into one array, and log-mel features of all that speech (its STFT needs about 9 bytes per byte
of audio). For two hours that was 4.9 GB in the worker, growing with the length. Fed windows of
at most ``window_s`` seconds, it needs memory for one window whatever the length.

A window ends at the quietest ``quiet_s`` of audio in its last tenth (the lowest mean energy, in
practice a pause between words or turns, so no word is cut in two). Audio is read through
``read(start, stop)`` (sample indices), so the caller decides where the samples live: an array
in this process, or the parent's memory through the worker's pipe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

Read = Callable[[int, int], np.ndarray]


def quietest_start(samples: np.ndarray, span: int) -> int:
    """Index where the ``span`` samples of lowest mean energy in ``samples`` begin (the earliest
    of equals). The whole array when it is shorter than ``span``."""
    if len(samples) <= span:
        return 0
    energy = np.concatenate([[0.0], np.cumsum(np.square(samples, dtype=np.float64))])
    return int(np.argmin(energy[span:] - energy[:-span]))


def window_bounds(
    read: Read,
    num_samples: int,
    sample_rate: int,
    *,
    window_s: float,
    search_s: float | None = None,
    quiet_s: float = 0.5,
) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` sample ranges that cover ``[0, num_samples)`` in order, each at most
    ``window_s`` long and of about equal length (the fewest windows that fit, so no short
    remainder), each cut (but the last) in the middle of the quietest ``quiet_s`` within the
    ``search_s`` (default: a tenth of ``window_s``) before the window's aimed-at end. ``window_s``
    0 means one window. Only the search regions are read."""
    if window_s <= 0 or num_samples <= window_s * sample_rate:
        yield 0, num_samples
        return
    search_s = window_s / 10 if search_s is None else search_s
    if not 0 < quiet_s <= search_s < window_s:
        raise ValueError(f"need 0 < quiet_s <= search_s < window_s, got {quiet_s}, {search_s}, {window_s}")
    window, search, span = (int(x * sample_rate) for x in (window_s, search_s, quiet_s))
    start = 0
    while num_samples - start > window:
        # windows of about equal length (none a short remainder): aim at the rest over the windows it needs
        target = min(window, -(-(num_samples - start) // -(-(num_samples - start) // window)))
        lo, hi = start + target - search, start + target
        cut = lo + quietest_start(read(lo, hi), span) + span // 2
        yield start, cut
        start = cut
    yield start, num_samples


def read_array(samples: np.ndarray) -> Read:
    """``read`` over an array held in this process."""
    return lambda start, stop: samples[start:stop]
