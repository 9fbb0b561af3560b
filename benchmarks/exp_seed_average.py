"""Experiment (issue #23): do two taggers trained with the same recipe and different seeds do
better together than apart? Averages the calibrated probabilities of the artifacts named, chooses
thresholds for the average by the training rule (best dev F1 under the real-talk false-fire cap,
`TrainOptions`), and scores it on the held-out sets, the rules set and real-talk dev with the
same functions as `dialogic.tagging.generalisation` and `dialogic.tagging.outside`.

Each artifact is also re-scored alone with thresholds re-chosen the same way, so the average is
compared with its members under one rule. Writes JSON files in the layout of those modules' ``--json``.

    python benchmarks/exp_seed_average.py models/dialogic-tagger-v6 OTHER_ARTIFACT --out-prefix /tmp/avg

The artifacts must share their input spec and tags (same recipe, another ``--seed``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from dialogic.tagging.corpus import load_seed_corpus, load_training_corpus, split_rows
from dialogic.tagging.evaluate import choose_thresholds, codebook_check, label_matrix, score_predictions
from dialogic.tagging.generalisation import evaluate_generalisation
from dialogic.tagging.outside import evaluate_outside
from dialogic.tagging.tagger import load_tagger_from
from dialogic.tagging.train import TrainOptions, real_talk_threshold_rows, role_blind_labels


def _probabilities(taggers):
    def probabilities(texts, roles=None, contexts=None) -> np.ndarray:
        return np.mean([t.codebook_array(texts, roles, contexts) for t in taggers], axis=0)

    return probabilities


def _rows_args(rows):
    return [r.text for r in rows], [r.speaker_role for r in rows], [r.context() for r in rows]


def measure(taggers, dev, threshold_rows, options: TrainOptions) -> tuple[dict, dict, dict]:
    probabilities = _probabilities(taggers)
    real = (label_matrix(threshold_rows), probabilities(*_rows_args(threshold_rows)))
    thresholds = choose_thresholds(
        label_matrix(dev),
        probabilities(*_rows_args(dev)),
        options.max_dev_false_fire,
        min_f1=options.min_dev_f1,
        negatives=real,
    )
    seed_test = split_rows(load_seed_corpus(), "test")
    in_template = score_predictions(label_matrix(seed_test), probabilities(*_rows_args(seed_test)), thresholds)
    g = {
        "model": "+".join(t.model_version for t in taggers),
        "thresholds": thresholds,
        "seed_test": in_template.as_dict(),
        "codebook": codebook_check(probabilities, thresholds),
        **evaluate_generalisation(probabilities, thresholds),
    }
    o = {"model": g["model"], **evaluate_outside(probabilities, thresholds, with_context=True)}
    return g, o, thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", type=Path, nargs="+")
    parser.add_argument("--out-prefix", required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    taggers = [load_tagger_from(path) for path in args.artifacts]
    if len({(t.input_spec, tuple(t.tags)) for t in taggers}) != 1:
        raise SystemExit("the artifacts differ in input spec or tags; average only seeds of one recipe")
    options = TrainOptions()
    dev = split_rows(role_blind_labels(load_training_corpus()), "dev")
    threshold_rows = real_talk_threshold_rows(options)
    arms = [[t] for t in taggers] + [taggers]
    for k, arm in enumerate(arms):
        g, o, thresholds = measure(arm, dev, threshold_rows, options)
        name = "avg" if len(arm) > 1 else f"m{k}"
        Path(f"{args.out_prefix}_G_{name}.json").write_text(json.dumps(g, indent=2) + "\n")
        Path(f"{args.out_prefix}_O_{name}.json").write_text(json.dumps(o, indent=2) + "\n")
        written = g["out_of_template"]["counted"]["macro_f1"]
        print(f"{g['model']}: thresholds {thresholds}; held-out written macro-F1 {written:.3f}", flush=True)


if __name__ == "__main__":
    main()
