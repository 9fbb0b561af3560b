"""NewSpeakerClustering on synthetic embeddings: a voice heard only in short turns becomes its own
speaker when it is unlike every cluster, within the speaker cap, and never otherwise."""

from __future__ import annotations

import numpy as np
from pyannote.core import SlidingWindow, SlidingWindowFeature

from dialogic.diarisation.clustering import NewSpeakerClustering

FRAMES = 100


def scene(short_voice: np.ndarray, short_chunks: int = 6, seed: int = 0):
    """10 chunks × 3 local speakers: A talks 50 % of each chunk, B 30 %, and local speaker 2 says a
    few words (5 %) with ``short_voice`` in the first ``short_chunks`` chunks."""
    rng = np.random.default_rng(seed)
    dim = 16
    a, b = np.eye(dim)[0], np.eye(dim)[1]
    seg = np.zeros((10, FRAMES, 3))
    seg[:, :50, 0] = 1
    seg[:, 50:80, 1] = 1
    seg[:short_chunks, 90:95, 2] = 1
    emb = np.zeros((10, 3, dim))
    for c in range(10):
        emb[c, 0] = a + 0.05 * rng.standard_normal(dim)
        emb[c, 1] = b + 0.05 * rng.standard_normal(dim)
        emb[c, 2] = short_voice + 0.05 * rng.standard_normal(dim) if c < short_chunks else np.nan
    return emb, SlidingWindowFeature(seg, SlidingWindow(start=0, duration=10, step=1))


def clustering(**kwargs) -> NewSpeakerClustering:
    c = NewSpeakerClustering(**kwargs)
    c.instantiate({"method": "centroid", "threshold": 0.65, "min_cluster_size": 12})
    return c


def speakers(hard: np.ndarray, seg: SlidingWindowFeature) -> set[int]:
    active = seg.data.sum(axis=1) > 0
    return set(hard[active].tolist()) - {-2}  # -2: left without a speaker by the constrained assignment


def test_short_voice_unlike_everyone_becomes_a_third_speaker():
    emb, seg = scene(np.eye(16)[2])
    hard, _, centroids = clustering()(emb, segmentations=seg, max_clusters=4)
    assert len(speakers(hard, seg)) == 3 and centroids.shape[0] == 3
    assert len({hard[c, 2] for c in range(6)}) == 1  # the short voice is one speaker ...
    assert hard[0, 2] not in (hard[0, 0], hard[0, 1])  # ... distinct from A and B


def test_without_the_new_speaker_step_it_is_merged_into_someone_else():
    emb, seg = scene(np.eye(16)[2])
    hard, _, _ = clustering(new_speakers=False)(emb, segmentations=seg, max_clusters=4)
    assert len(speakers(hard, seg)) == 2


def test_speaker_cap_is_respected():
    emb, seg = scene(np.eye(16)[2])
    hard, _, _ = clustering()(emb, segmentations=seg, max_clusters=2)
    assert len(speakers(hard, seg)) == 2


def test_short_turns_of_a_known_voice_are_not_a_new_speaker():
    emb, seg = scene(np.eye(16)[0])  # A again, in short turns
    hard, _, _ = clustering()(emb, segmentations=seg, max_clusters=4)
    assert len(speakers(hard, seg)) == 2
    hard, _, _ = clustering(constrained_assignment=False)(emb, segmentations=seg, max_clusters=4)
    assert all(hard[c, 2] == hard[c, 0] for c in range(6))  # given to A


def test_a_voice_seen_in_too_few_chunks_is_not_a_new_speaker():
    emb, seg = scene(np.eye(16)[2], short_chunks=2)
    hard, _, _ = clustering(min_new_chunks=3)(emb, segmentations=seg, max_clusters=4)
    assert len(speakers(hard, seg)) == 2
