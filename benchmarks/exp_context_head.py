"""Experiment: does the previous utterance help? Frozen-encoder head recipe, with and without it.

The head sees the pooled embedding of ``[role] text``; with context it also sees the pooled
embedding of ``[prev_role] prev_text`` (zeros when there is none), concatenated. In a meeting the
previous utterance's embedding is computed anyway, so context would cost the head only.
Chosen on dev (as `dialogic train` chooses); held-out figures printed for the record only.

Caveat printed with the result: the generated corpus's previous utterances are lead-ins picked
by category, so on train/dev they correlate with the labels by construction; only the held-out
set has real previous turns.

Run: .venv/bin/python benchmarks/exp_context_head.py [--threads 1]
"""

from __future__ import annotations

import argparse
import copy

import torch

from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import load_training_corpus, split_rows
from dialogic.tagging.encoder import format_input, load_encoder
from dialogic.tagging.evaluate import apply_platt, choose_thresholds, fit_platt, label_matrix, score_predictions
from dialogic.tagging.generalisation import false_fire, load_heldout
from dialogic.tagging.train import _masked_bce, _seed_everything


class Head(torch.nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Dropout(0.1),
            torch.nn.Linear(dim, 256),
            torch.nn.GELU(),
            torch.nn.Dropout(0.1),
            torch.nn.Linear(256, len(TAGS)),
        )

    def forward(self, x):
        return self.net(x)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    encoder = load_encoder()
    rows = load_training_corpus()
    train, dev = split_rows(rows, "train"), split_rows(rows, "dev")
    held = load_heldout("out_of_template")
    cache: dict[str, torch.Tensor] = {}

    def embed(texts: list[str]) -> torch.Tensor:
        todo = sorted({t for t in texts if t and t not in cache})
        if todo:
            for t, e in zip(todo, torch.nn.functional.normalize(encoder.embed(todo), dim=-1)):
                cache[t] = e
        return torch.stack([cache[t] if t else torch.zeros(384) for t in texts])

    def features(rs, context: bool) -> torch.Tensor:
        x = embed([format_input(r.text, r.speaker_role) for r in rs])
        if not context:
            return x
        return torch.cat([x, embed([format_input(r.prev_text, r.prev_role) if r.prev_text else "" for r in rs])], dim=1)

    for context in (False, True):
        _seed_everything(13)
        x, y = features(train, context), torch.from_numpy(label_matrix(train))
        xd, yd = features(dev, context), label_matrix(dev)
        head = Head(x.shape[1])
        opt = torch.optim.AdamW(head.parameters(), lr=2e-3, weight_decay=1e-2)
        best = (-1.0, None)
        for epoch in range(1, 81):
            head.train()
            for idx in torch.randperm(len(x)).split(64):
                opt.zero_grad()
                _masked_bce(head(x[idx]), y[idx]).backward()
                opt.step()
            if epoch % 5 == 0:
                head.eval()
                with torch.inference_mode():
                    logits = head(xd).double().numpy()
                cal = fit_platt(yd, logits)
                probs = apply_platt(logits, cal)
                thr = choose_thresholds(yd, probs)
                f1 = score_predictions(yd, probs, thr).macro_f1
                if f1 > best[0]:
                    best = (f1, (copy.deepcopy(head.state_dict()), cal, thr))
        head.load_state_dict(best[1][0])
        head.eval()
        with torch.inference_mode():
            hp = apply_platt(head(features(held, context)).double().numpy(), best[1][1])
        hs = score_predictions(label_matrix(held), hp, best[1][2])
        ff = false_fire(held, hp, best[1][2])
        print(
            f"context={context}: dev macro-F1 {best[0]:.3f} | held-out (report only) macro-F1 {hs.macro_f1:.3f} "
            + " ".join(f"{t[:6]} {s.f1:.3f}" for t, s in hs.per_tag.items())
            + " | false-fire "
            + " ".join(f"{t[:6]} {ff[t]['all']['rate'] * 100:.1f}%" for t in TAGS)
        )
    print("caveat: generated previous utterances are category lead-ins (label-correlated); held-out is report-only")


if __name__ == "__main__":
    main()
