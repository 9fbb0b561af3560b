"""Speaker clustering for the offline pipeline: pyannote's agglomerative clustering, plus new
speakers found among the embeddings it leaves out.

pyannote clusters only the (chunk, local speaker) embeddings with at least 2 s of clean speech in
their 10 s chunk (20 % of it) and then gives every other local speaker to the nearest of those
clusters. A person who only speaks in short turns (a relative who answers briefly, a back-channel)
never gets a cluster of their own and their speech is silently credited to someone else: on the
AMI dev clips that dropped a speaker in 4 of 8 clips (trn04, trn06, trn07, trn09) whose speakers
segmentation had found (docs/diarisation.md).

`NewSpeakerClustering` runs the same agglomerative clustering first, then looks at the left-out
local speakers: those further than the clustering threshold from every cluster centroid are
clustered among themselves with the same linkage and threshold, and each group seen in at least
``min_new_chunks`` chunks (and at least as many as a kept agglomerative cluster needs), whose
centroid is also further than the threshold from every cluster, becomes a new speaker, largest
first, while the count stays within ``max_speakers`` (or ``num_speakers``; no limit without either).
Everything is then assigned to the nearest centroid as pyannote does; with
``constrained_assignment`` two local speakers of one chunk — which segmentation says are two
different people — are never given the same cluster (pyannote's Hungarian assignment).
"""

from __future__ import annotations

import numpy as np
from pyannote.audio.pipelines.clustering import AgglomerativeClustering
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import cdist


def _unit(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / np.linalg.norm(x, axis=-1, keepdims=True)


class NewSpeakerClustering(AgglomerativeClustering):
    """Agglomerative (centroid) clustering of well-supported embeddings, then new speakers from the
    short-speech embeddings unlike every cluster. Hyper-parameters as pyannote's
    AgglomerativeClustering (``method``, ``threshold``, ``min_cluster_size``)."""

    def __init__(
        self,
        metric: str = "cosine",
        constrained_assignment: bool = True,
        new_speakers: bool = True,
        min_new_chunks: int = 3,
    ):
        super().__init__(metric=metric, constrained_assignment=constrained_assignment)
        self.new_speakers = new_speakers
        self.min_new_chunks = min_new_chunks

    def __call__(
        self, embeddings, segmentations=None, num_clusters=None, min_clusters=None, max_clusters=None, **kwargs
    ):
        # what the caller asked for (set_num_clusters below also bounds it by the train embeddings)
        requested = num_clusters or (
            int(max_clusters) if max_clusters is not None and np.isfinite(max_clusters) else None
        )
        train, chunk_idx, speaker_idx = self.filter_embeddings(embeddings, segmentations=segmentations)
        num_chunks, num_speakers, dimension = embeddings.shape
        num_train = train.shape[0]
        num_clusters, min_clusters, max_clusters = self.set_num_clusters(
            max(num_train, 1), num_clusters=num_clusters, min_clusters=min_clusters, max_clusters=max_clusters
        )
        if num_train >= 2 and max_clusters >= 2:
            clusters = self.cluster(
                train.copy(), min_clusters=min_clusters, max_clusters=max_clusters, num_clusters=num_clusters
            )
        else:
            clusters = np.zeros(num_train, dtype=int)
        clusters = np.asarray(clusters, dtype=int)

        if self.new_speakers:
            chunk_idx, speaker_idx, clusters = self._add_new_speakers(
                embeddings, segmentations, train, chunk_idx, speaker_idx, clusters, requested
            )

        if clusters.size == 0:  # no usable embedding at all: one speaker, as pyannote does
            hard = np.zeros((num_chunks, num_speakers), dtype=np.int8)
            return hard, np.ones((num_chunks, num_speakers, 1)), np.zeros((1, dimension))
        return self.assign_embeddings(
            embeddings, chunk_idx, speaker_idx, clusters, constrained=self.constrained_assignment
        )

    def _add_new_speakers(self, embeddings, segmentations, train, chunk_idx, speaker_idx, clusters, cap):
        num_chunks, num_frames, num_speakers = segmentations.data.shape
        found = int(clusters.max()) + 1 if clusters.size else 0
        if cap is not None and found >= cap:
            return chunk_idx, speaker_idx, clusters
        active = np.nansum(segmentations.data, axis=1) > 0
        valid = ~np.any(np.isnan(embeddings), axis=2)
        used = np.zeros((num_chunks, num_speakers), dtype=bool)
        used[chunk_idx, speaker_idx] = True
        rest_chunk, rest_speaker = np.where(active & valid & ~used)
        if len(rest_chunk) == 0:
            return chunk_idx, speaker_idx, clusters
        # centroid linkage works on unit vectors with euclidean distance (as pyannote's does)
        rest = _unit(embeddings[rest_chunk, rest_speaker])
        if found:
            centroids = _unit(np.vstack([train[clusters == k].mean(axis=0) for k in range(found)]))
            far = cdist(rest, centroids).min(axis=1) > self.threshold
        else:
            far = np.ones(len(rest), dtype=bool)
        # a new speaker needs as much support as a kept agglomerative cluster, and min_new_chunks
        min_size = max(self.min_new_chunks, min(self.min_cluster_size, max(1, round(0.1 * len(train)))))
        if far.sum() < min_size:
            return chunk_idx, speaker_idx, clusters
        candidates = rest[far]
        groups = (
            fcluster(linkage(candidates, method="centroid", metric="euclidean"), self.threshold, criterion="distance")
            - 1
        )
        labels, sizes = np.unique(groups, return_counts=True)
        order = [label for label, size in sorted(zip(labels, sizes), key=lambda x: -x[1]) if size >= min_size]
        if found:
            # the group as a whole must also be unlike every cluster (what the linkage would merge)
            order = [
                label
                for label in order
                if cdist(_unit(candidates[groups == label].mean(axis=0))[None], centroids).min() > self.threshold
            ]
        room = len(order) if cap is None else max(0, cap - found)
        new_chunk, new_speaker, new_cluster = [], [], []
        far_chunk, far_speaker = rest_chunk[far], rest_speaker[far]
        for k, label in enumerate(order[:room]):
            members = groups == label
            new_chunk.append(far_chunk[members])
            new_speaker.append(far_speaker[members])
            new_cluster.append(np.full(members.sum(), found + k))
        if not new_chunk:
            return chunk_idx, speaker_idx, clusters
        return (
            np.concatenate([chunk_idx, *new_chunk]).astype(int),
            np.concatenate([speaker_idx, *new_speaker]).astype(int),
            np.concatenate([clusters, *new_cluster]).astype(int),
        )
