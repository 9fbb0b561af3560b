"""How many people speak at each instant, read from segmentation-3.0's probabilities.

segmentation-3.0 is a powerset model: for every ~17 ms frame of a 10 s chunk it gives a
probability to each set of at most two of its three local speakers ({}, {1}, {2}, {3}, {1,2},
{1,3}, {2,3}). pyannote keeps only the most probable set (a hard 0/1 decision per local speaker)
and counts speakers at each instant as the rounded mean, over the ~10 chunks that cover it, of
those hard counts. Two losses follow (docs/diarisation.md): a frame where the model gives speech
0.45 in every chunk is silence, and a frame heard as speech by 4 chunks of 10 is silence too.

Here the count is read from the probabilities themselves: the mean over chunks of P(at least one
speaker) against ``speech_threshold`` and of P(two speakers) against ``overlap_threshold``.
At 0.5 both are the natural reading of the model; a lower value trades false alarm for missed
speech. Which clusters fill that count at a frame is decided, as in pyannote, by their summed
activations over the chunks; `ranking_activations` lets the probabilities break the ties of the
hard decisions, so a second speaker in overlap that no chunk decided on goes to the most probable
cluster, not to whichever comes first.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from pyannote.audio.core.inference import Inference
from pyannote.core import SlidingWindow, SlidingWindowFeature

ACTIVATIONS = ("decisions", "posteriors", "ties")

# Summed over the chunks covering a frame (10 at the default 1 s step), probabilities scaled by this
# stay below 1 while fewer than 1000 chunks cover it, so they only order clusters whose summed hard
# decisions (whole numbers) are equal.
TIE_BREAK_SCALE = 1e-3


class SegmentationPosteriors(SlidingWindowFeature):
    """Hard (chunk, frame, local speaker) decisions, as pyannote uses them, carrying the
    probabilities they came from: ``speaker_probs`` (same shape, P(local speaker active)) and
    ``cardinality_probs`` (chunk, frame, max set size + 1: P(0), P(1), P(2) speakers)."""

    def __init__(self, hard: np.ndarray, sliding_window: SlidingWindow, speaker_probs, cardinality_probs):
        super().__init__(hard, sliding_window)
        self.speaker_probs = speaker_probs
        self.cardinality_probs = cardinality_probs


def powerset_sets(num_speakers: int, max_set_size: int) -> list[tuple[int, ...]]:
    """The powerset classes in segmentation-3.0's order: by size, then lexicographic."""
    return [c for size in range(max_set_size + 1) for c in combinations(range(num_speakers), size)]


def split_powerset(
    log_probs: np.ndarray, num_speakers: int, max_set_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(chunk, frame, class) log-probabilities → hard multilabel decisions (the most probable
    set, as pyannote's conversion), per-speaker marginal probabilities, and the probability of
    each number of active speakers (0 … max_set_size)."""
    sets = powerset_sets(num_speakers, max_set_size)
    if log_probs.shape[-1] != len(sets):
        raise ValueError(
            f"expected {len(sets)} powerset classes for {num_speakers} speakers in sets of at most "
            f"{max_set_size}, got {log_probs.shape[-1]}"
        )
    mapping = np.zeros((len(sets), num_speakers), dtype=np.float32)
    for k, members in enumerate(sets):
        mapping[k, list(members)] = 1.0
    probs = np.exp(log_probs.astype(np.float32))  # float32 as pyannote's: an hour is ~3600 chunks × 589 frames
    hard = mapping[np.argmax(log_probs, axis=-1)]
    marginals = probs @ mapping
    sizes = mapping.sum(axis=1).astype(int)
    cardinality = np.stack([probs[..., sizes == n].sum(axis=-1) for n in range(max_set_size + 1)], axis=-1)
    return hard, marginals, cardinality


def posterior_speaker_count(
    cardinality_probs: SlidingWindowFeature,
    frames: SlidingWindow,
    speech_threshold: float,
    overlap_threshold: float,
) -> SlidingWindowFeature:
    """(num_frames, 1) number of speakers per output frame: 1 where the chunks' mean P(at least one
    speaker) reaches ``speech_threshold``, 2 where the mean P(at least two) also reaches
    ``overlap_threshold`` (and so on for larger sets)."""
    probs = cardinality_probs.data
    at_least = np.flip(np.cumsum(np.flip(probs, axis=-1), axis=-1), axis=-1)[..., 1:]  # P(≥1), P(≥2), …
    mean = Inference.aggregate(
        SlidingWindowFeature(at_least, cardinality_probs.sliding_window),
        frames,
        hamming=False,
        missing=0.0,
        skip_average=False,
    )
    thresholds = np.array([speech_threshold] + [overlap_threshold] * (at_least.shape[-1] - 1))
    # a frame only counts a second speaker where it counts a first
    reached = np.cumprod(mean.data >= thresholds, axis=-1)
    return SlidingWindowFeature(reached.sum(axis=-1, keepdims=True).astype(np.uint8), mean.sliding_window)


def ranking_activations(hard: np.ndarray, speaker_probs: np.ndarray, method: str) -> np.ndarray:
    """(chunk, frame, local speaker) scores whose per-cluster sums rank who fills the count.

    ``decisions``: the hard decisions (pyannote). ``posteriors``: the probabilities. ``ties``: the
    hard decisions, with the probabilities breaking only their ties — where pyannote would give a
    second speaker no chunk decided on to whichever cluster comes first, it goes to the most
    probable one, and nothing the decisions rank changes order.
    """
    if method == "decisions":
        return hard
    if method == "posteriors":
        return speaker_probs
    if method == "ties":
        return hard + TIE_BREAK_SCALE * speaker_probs
    raise ValueError(f"activations must be one of {', '.join(ACTIVATIONS)}, got {method!r}")


def attribution_margin(activations: np.ndarray, coverage: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Per output frame, how clearly the most active cluster beat the runner-up: (first − second)
    of the clusters' activations summed over the chunks covering the frame, divided by the number
    of those chunks; in [0, 1], NaN where nobody speaks (``count`` 0) or no chunk covers the frame.

    ``activations``: (frames, clusters) summed activations, as pyannote's ``to_diarization``
    ranks them; ``coverage``: (frames,) chunks covering each frame; ``count``: (frames,) speakers
    counted. With hard decisions this is the share of chunks that named the frame's speaker, less
    the share that named anyone else most: 1 when every chunk agreed, 0 when two clusters tie (as
    in overlapped speech, where misattribution happens). It is the diarisation's own confidence
    in who spoke, read per frame; `dialogic.align.speaker_confidence` averages it per utterance.
    """
    activations = np.nan_to_num(np.asarray(activations, dtype=float), nan=0.0)
    if activations.shape[1] == 0:
        return np.full(activations.shape[0], np.nan)
    ranked = -np.sort(-activations, axis=1)
    second = ranked[:, 1] if ranked.shape[1] > 1 else np.zeros(ranked.shape[0])
    coverage = np.asarray(coverage, dtype=float).reshape(-1)
    count = np.asarray(count, dtype=float).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.clip((ranked[:, 0] - second) / coverage, 0.0, 1.0)
    return np.where((coverage > 0) & (count > 0), margin, np.nan)
