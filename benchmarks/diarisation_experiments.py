"""Diarisation variants that are not DiarisationOptions fields, scored like eval_diarisation.py.

    python benchmarks/diarisation_experiments.py [--data ../shared/data/ami-dev] [--only TEXT]

Segmentation and embeddings are computed once per clip and reused, so many clustering and
reconstruction variants run in minutes (no real-time factor is given for them). Each row is pooled
over the --data clips; the last column is the bundled sample's DER. Rows (see docs/diarisation.md):
oracle clustering (the ceiling with segmentation-3.0 as it is), linkage methods, thresholds,
spectral clustering with eigen-gap speaker counting, a lower bar for the embeddings clustered,
forced speaker counts with min_cluster_size 1, and the speaker-count rounding that plays the role
of a detection threshold for the powerset segmentation model.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_diarisation as ev  # noqa: E402


def spectral_labels(x: np.ndarray, min_k: int, max_k: int, num_k: int | None, prune: float | None) -> np.ndarray:
    """Normalised-Laplacian spectral clustering of cosine affinities; the number of clusters is the
    largest eigen-gap within [min_k, max_k] (Park et al., 2019 without the p-tuning); ``prune`` keeps
    only the top (1 - prune) fraction of each row's affinities."""
    from sklearn.cluster import KMeans

    n = len(x)
    if n < 3:
        return np.zeros(n, dtype=int)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    a = x @ x.T
    if prune is not None:
        keep = max(2, int(np.ceil((1 - prune) * n)))
        b = np.zeros_like(a)
        top = np.argsort(-a, axis=1)[:, :keep]
        for i in range(n):
            b[i, top[i]] = a[i, top[i]]
        a = (b + b.T) / 2
    a = np.clip(a, 0, None)
    np.fill_diagonal(a, 0)
    d = a.sum(1)
    d[d == 0] = 1e-10
    eigenvalues, vectors = np.linalg.eigh(np.eye(n) - a / np.sqrt(np.outer(d, d)))
    hi = max(1, min(max_k, n - 1))
    lo = max(1, min(min_k, hi))
    k = num_k or lo + int(np.argmax(np.diff(eigenvalues[: hi + 1])[lo - 1 : hi]))
    if k <= 1:
        return np.zeros(n, dtype=int)
    u = vectors[:, :k]
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(u / np.linalg.norm(u, axis=1, keepdims=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ev.DEFAULT_DATA)
    parser.add_argument("--only", default="", help="run only the rows whose label contains this text")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    warnings.filterwarnings("ignore")
    import torch
    from pyannote.audio.core.inference import Inference
    from pyannote.audio.pipelines.clustering import AgglomerativeClustering, OracleClustering

    from dialogic.diarisation import DiarisationOptions, load_diarisation_pipeline
    from dialogic.diarisation.clustering import NewSpeakerClustering
    from dialogic.diarisation.evaluate import pool, score

    torch.set_num_threads(1)
    data = ev.load_clips(args.data)

    pipeline, _ = load_diarisation_pipeline(DiarisationOptions())
    cache: dict = {}
    get_segmentations, get_embeddings = pipeline.get_segmentations, pipeline.get_embeddings
    pipeline.get_segmentations = lambda file, hook=None: cache.setdefault(
        ("s", file["uri"]), get_segmentations(file, hook=hook)
    )
    pipeline.get_embeddings = lambda file, seg, exclude_overlap=False, hook=None: cache.setdefault(
        ("e", file["uri"], exclude_overlap), get_embeddings(file, seg, exclude_overlap=exclude_overlap, hook=hook)
    ).copy()
    stock_count = pipeline.speaker_count

    def rounded_count(offset: float):
        def count(binarized, frames, warm_up=(0.0, 0.0)):
            trimmed = Inference.trim(binarized, warm_up=warm_up)
            c = Inference.aggregate(
                np.sum(trimmed, axis=-1, keepdims=True), frames, hamming=False, missing=0.0, skip_average=False
            )
            c.data = np.floor(c.data + offset).astype(np.uint8)
            return c

        return count

    def agglomerative(cls=AgglomerativeClustering, method="centroid", threshold=0.65, min_cluster_size=12, **kwargs):
        c = cls(metric="cosine", **kwargs)
        c.instantiate({"method": method, "threshold": threshold, "min_cluster_size": min_cluster_size})
        return c

    class LowBar(AgglomerativeClustering):
        min_active_ratio = 0.05

        def filter_embeddings(self, embeddings, segmentations=None, min_active_ratio=0.2):
            return super().filter_embeddings(embeddings, segmentations, min_active_ratio=self.min_active_ratio)

    class Spectral(AgglomerativeClustering):
        prune = None

        def cluster(self, embeddings, min_clusters=None, max_clusters=None, num_clusters=None):
            return spectral_labels(
                embeddings, min_clusters or 1, max_clusters or len(embeddings), num_clusters, self.prune
            )

    def run(label, clustering, hint="max", count=None, oracle=False):
        if args.only not in label:
            return
        pipeline.clustering = clustering
        pipeline.speaker_count = count or stock_count
        scores = []
        for d in data:
            file = {"waveform": torch.from_numpy(d["audio"].samples)[None], "sample_rate": 16000, "uri": d["name"]}
            if oracle:
                file["annotation"] = d["reference"]
            output = pipeline(file, **ev.speaker_kwargs(hint, d["n"]))
            scores.append(score(d["reference"], output.speaker_diarization, d["uem"], uri=d["name"]))
        p = pool(s for s, d in zip(scores, data) if d["pooled"])
        sample = [s for s, d in zip(scores, data) if not d["pooled"]]
        print(
            f"| {label} | {p.der:.3f} | {p.missed:.3f} | {p.false_alarm:.3f} | {p.confusion:.3f} | {p.count_right}/{p.clips} | "
            f"{p.worst_voice_share_error_pts:.1f} | {p.mean_voice_share_error_pts:.1f} | – | {sample[0].der if sample else float('nan'):.3f} |",
            flush=True,
        )

    print("| variant | DER | miss | FA | conf | count right | worst VS | mean VS | RTF | sample DER |")
    run("oracle clustering (reference speaker per local speaker)", OracleClustering(), oracle=True)
    run("stock agglomerative, as baseline", agglomerative())
    for threshold in (0.5, 0.7, 0.8):
        run(f"stock agglomerative, threshold {threshold}", agglomerative(threshold=threshold))
    for mcs in (1, 2, 5):
        run(f"stock agglomerative, min_cluster_size {mcs}", agglomerative(min_cluster_size=mcs))
    for method, threshold in (("average", 0.5), ("average", 0.7), ("complete", 0.6), ("complete", 0.8)):
        run(f"{method} linkage, threshold {threshold}", agglomerative(method=method, threshold=threshold))
    for ratio in (0.1, 0.05):
        low = agglomerative(LowBar, min_cluster_size=2)
        low.min_active_ratio = ratio
        run(f"cluster local speakers with ≥ {ratio * 10:g} s clean speech (not 2 s), min_cluster_size 2", low)
    for prune in (None, 0.5, 0.8):
        spectral = agglomerative(Spectral)
        spectral.prune = prune
        run(f"spectral, eigen-gap count ≤ max_speakers, pruning {prune}", spectral)
        run(f"spectral, eigen-gap count, pruning {prune}, hint none", spectral, hint="none")
    run("hint exact, stock agglomerative min_cluster_size 1", agglomerative(min_cluster_size=1), hint="exact")
    chosen = DiarisationOptions().clustering_threshold
    run(
        "hint exact, chosen clustering min_cluster_size 1",
        agglomerative(NewSpeakerClustering, threshold=chosen, min_cluster_size=1),
        hint="exact",
    )
    for offset in (0.6, 0.7, 0.8, 0.9):
        run(
            f"speaker count rounded up from {1 - offset:.1f} (not 0.5), chosen clustering",
            agglomerative(NewSpeakerClustering, threshold=chosen),
            count=rounded_count(offset),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
