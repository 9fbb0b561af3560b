"""Throughput of the utterance tagger on two CPU threads, batched: bare encoder vs tagger vs an
int8 dynamically quantised tagger, with test macro-F1 so the quantised variant is judged fairly.

Run: .venv/bin/python benchmarks/bench_tagger.py [--model dialogic-tagger-v1] [--repeat 3]
Prints one table measured in one run; ratios are relative to the bare encoder.
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch

import dialogic  # noqa: F401  (offline, no telemetry)
from dialogic.tagging.corpus import load_seed_corpus, split_rows
from dialogic.tagging.encoder import format_input
from dialogic.tagging.evaluate import score_predictions
from dialogic.tagging.tagger import Tagger, load_tagger, load_tagger_from, resolve_artifact
from dialogic.tagging.train import label_matrix


def _rate(fn, n: int, repeat: int) -> float:
    fn()  # warm-up: first call pays for allocation and kernel selection
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return n / best


def quantised(tagger: Tagger) -> Tagger:
    """The same tagger with every Linear layer of the encoder dynamically quantised to int8."""
    q = copy.copy(tagger)
    q.encoder = copy.copy(tagger.encoder)
    q.encoder.model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(tagger.encoder.model), {torch.nn.Linear}, dtype=torch.qint8)
    return q


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    tagger = load_tagger_from(resolve_artifact(args.model), variant="fp32")
    default = load_tagger(args.model)  # what dialogic uses: the int8 feed-forward variant when usable
    test = split_rows(load_seed_corpus(), "test")
    texts, roles = [r.text for r in test], [r.speaker_role for r in test]
    labels = label_matrix(test)
    n = len(texts)
    inputs = [format_input(t, r) for t, r in zip(texts, roles)]

    rows = []
    bare = _rate(lambda: tagger.encoder.embed(inputs, batch_size=64), n, args.repeat)
    rows.append(("bare encoder (pooled embeddings)", bare, None))
    f1 = score_predictions(labels, tagger.predict_array(texts, roles), tagger.thresholds).macro_f1
    rows.append((f"tagger {tagger.model_version} ({tagger.manifest['recipe']})", _rate(lambda: tagger.predict(texts, roles), n, args.repeat), f1))
    d_f1 = score_predictions(labels, default.predict_array(texts, roles), default.thresholds).macro_f1
    rows.append((f"default tagger ({default.variant}, batch {default.batch_size})", _rate(lambda: default.predict(texts, roles), n, args.repeat), d_f1))
    q = quantised(tagger)
    q_f1 = score_predictions(labels, q.predict_array(texts, roles), q.thresholds).macro_f1
    rows.append(("tagger, int8 dynamic quantisation", _rate(lambda: q.predict(texts, roles), n, args.repeat), q_f1))

    print(f"{n} test utterances, batch 64, {args.threads} torch threads, best of {args.repeat}")
    print(f"{'variant':<44} {'utt/s':>8} {'x bare':>7} {'test macro-F1':>14}")
    for name, rate, score in rows:
        print(f"{name:<44} {rate:8.0f} {rate / bare:7.2f} {'' if score is None else f'{score:.4f}':>14}")
    for label, score in (("default (int8 feed-forward)", d_f1), ("full int8", q_f1)):
        verdict = "within 0.01: usable" if abs(score - f1) <= 0.01 else "> 0.01: not used"
        print(f"{label} F1 vs fp32: {score - f1:+.4f} ({verdict})")


if __name__ == "__main__":
    main()
