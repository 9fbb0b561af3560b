"""What the dev false-fire cap on thresholds does on its own, for an existing artifact.

Keeps the artifact's weights and Platt calibration and re-chooses each tag's threshold on the
current dev split of the training corpus (the files `dialogic train` reads now), as the
F1-best cut among those that tag at most ``--cap`` of the tag's dev negatives (several caps,
tightest first: the next one only where the tighter cut leaves the tag's dev F1 under
``--min-f1``, as `dialogic train` does). Prints the dev
figures at the artifact's own thresholds and at the capped ones, then the held-out figures at
both (reported, not used to choose: the cap is fixed before this runs).

Run: PYTHONPATH=src python benchmarks/exp_threshold_cap.py --model dialogic-tagger-v2 --cap 0.01 0.02
"""

from __future__ import annotations

import argparse

import torch

from dialogic.tagging.artifacts import resolve_artifact
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import load_training_corpus, split_rows
from dialogic.tagging.evaluate import choose_thresholds, label_matrix, score_predictions
from dialogic.tagging.generalisation import evaluate_generalisation
from dialogic.tagging.tagger import load_tagger_from


def _line(name: str, scores: dict, ff: dict | None = None) -> str:
    tags = scores["per_tag"]
    fired = ff or {t: {"all": {"rate": tags[t]["false_fire"]}} for t in TAGS}
    return f"{name:<34} macro-F1 {scores['macro_f1']:.3f} | " + " | ".join(
        f"{t[:12]} F1 {tags[t]['f1']:.3f} ff {100 * fired[t]['all']['rate']:.1f} %" for t in TAGS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--cap", type=float, nargs="+", default=[0.01, 0.02])
    parser.add_argument("--min-f1", type=float, default=0.80)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tagger = load_tagger_from(resolve_artifact(args.model), precision="fp32")
    dev = split_rows(load_training_corpus(), "dev")
    y = label_matrix(dev)
    probs = tagger.predict_array([r.text for r in dev], [r.speaker_role for r in dev])
    capped = choose_thresholds(y, probs, args.cap, min_f1=args.min_f1)
    caps = " then ".join(f"{100 * c:g} %" for c in args.cap)
    print(f"{tagger.model_version}: dev {len(dev)} utterances; cap {caps} of each tag's dev negatives")
    print("own thresholds   ", tagger.thresholds)
    print("capped thresholds", capped)
    for name, cuts in (("own", tagger.thresholds), ("capped", capped)):
        print(_line(f"dev, {name} thresholds", score_predictions(y, probs, cuts).as_dict()))
    for name, cuts in (("own", tagger.thresholds), ("capped", capped)):
        held = evaluate_generalisation(tagger.predict_array, cuts)
        for key, metrics in held.items():
            print(_line(f"{key}, {name} thresholds", metrics, metrics["false_fire"]))


if __name__ == "__main__":
    main()
