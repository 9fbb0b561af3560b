"""Experiment: does a larger frozen encoder rank the tags better? A linear-probe-sized diagnostic.

Issue #23 item 3 asks to compare larger encoders. A fine-tune of a 110M-parameter encoder does
not fit two shared CPU cores, so this compares encoders in the frozen-encoder recipe only, at a
size that does: each encoder embeds the same random ``--train-rows`` rows of the training split
(fixed seed) and the whole hand-written held-out set, role-blind and without context; the same
MLP head (the `head` recipe's size, learning rate and epochs, fixed seed) is fitted on each.

The measure is threshold-free: average precision per tag on the held-out set (the issue says
the ranking, not the threshold, is the limit), over the rows the set judges for each tag. The
labels are the set's, after the codebook's role rule, so `peer_self_disclosure` asks a
role-blind model for something it cannot see (a non-peer's own story is coded no) and is shown
apart from the macro over the other three tags. No dev split, no thresholds, no calibration:
a diagnostic of the encoders' representations, not a tagger's figures.

Run (each ``--encoder`` a folder holding a sentence-transformers checkpoint; the default is the
shipped all-MiniLM-L6-v2):
    OMP_NUM_THREADS=1 python benchmarks/exp_encoder_probe.py --encoder DEFAULT --encoder DIR [--train-rows 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score

from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import load_training_corpus, split_rows
from dialogic.tagging.encoder import encoder_dir, load_encoder
from dialogic.tagging.evaluate import label_matrix
from dialogic.tagging.generalisation import load_heldout
from dialogic.tagging.tagger import TagHead
from dialogic.tagging.train import TrainOptions, _masked_bce, _seed_everything


def probe(directory: Path, train_texts: list[str], y_train: np.ndarray, test_texts: list[str], seed: int) -> dict:
    encoder = load_encoder(directory, max_length=64)
    start = time.perf_counter()
    x = encoder.embed(train_texts)
    x_test = encoder.embed(test_texts)
    embed_s = time.perf_counter() - start
    options = TrainOptions()
    _seed_everything(seed)
    head = TagHead(dim=x.shape[1], hidden=options.head_hidden)
    optimiser = torch.optim.AdamW(head.parameters(), lr=options.head_lr, weight_decay=1e-2)
    y = torch.from_numpy(y_train)
    generator = torch.Generator().manual_seed(seed)
    head.train()
    for _ in range(options.head_epochs):
        for idx in torch.randperm(len(x), generator=generator).split(64):
            optimiser.zero_grad()
            _masked_bce(head(x[idx]), y[idx]).backward()
            optimiser.step()
    head.eval()
    with torch.inference_mode():
        scores = head(x_test).double().numpy()
    return {
        "encoder": directory.name,
        "dim": int(x.shape[1]),
        "embedded": len(train_texts) + len(test_texts),
        "embed_s": round(embed_s, 1),
        "scores": scores,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", action="append", required=True, help="DEFAULT or a checkpoint folder")
    parser.add_argument("--train-rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train = split_rows(load_training_corpus(), "train")
    train = random.Random(args.seed).sample(train, min(args.train_rows, len(train)))
    test = load_heldout("out_of_template")
    y_test = label_matrix(test)
    results = []
    for name in args.encoder:
        directory = encoder_dir() if name == "DEFAULT" else Path(name)
        run = probe(directory, [r.text for r in train], label_matrix(train), [r.text for r in test], args.seed)
        per_tag = {}
        for j, tag in enumerate(TAGS):
            judged = y_test[:, j] >= 0
            per_tag[tag] = {
                "ap": round(float(average_precision_score(y_test[judged, j], run["scores"][judged, j])), 3),
                "positives": int((y_test[judged, j] == 1).sum()),
                "judged": int(judged.sum()),
            }
        run.pop("scores")
        run["per_tag"] = per_tag
        run["macro_ap_three"] = round(float(np.mean([per_tag[t]["ap"] for t in TAGS[:3]])), 3)
        results.append(run)
    print(f"train rows {len(train)} (seed {args.seed}); held-out written set {len(test)}; {args.threads} thread(s)\n")
    print("| encoder | dim | " + " | ".join(f"`{t}` AP" for t in TAGS) + " | macro AP (first three) | embed utt/s |")
    print("|---|---|" + "---|" * (len(TAGS) + 2))
    for r in results:
        cells = " | ".join(f"{r['per_tag'][t]['ap']:.3f}" for t in TAGS)
        rate = r["embedded"] / r["embed_s"]
        print(f"| {r['encoder']} | {r['dim']} | {cells} | {r['macro_ap_three']:.3f} | {rate:.1f} |")
    if args.json:
        args.json.write_text(json.dumps({"train_rows": len(train), "seed": args.seed, "results": results}, indent=2))


if __name__ == "__main__":
    main()
