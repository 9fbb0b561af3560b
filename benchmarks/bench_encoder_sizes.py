"""Would a bigger sentence encoder pay? Throughput of encoder *architectures* on this machine.

Throughput does not depend on the weights, so each candidate is built from its published
architecture with random weights (no download): all-MiniLM-L6-v2 (6 layers, 384 wide, the
current encoder), the 12-layer 384-wide family (bge-small-en-v1.5, e5-small-v2, gte-small,
all-MiniLM-L12-v2) and the 12-layer 768-wide family (all-mpnet-base-v2, bge-base, e5-base).
Same tokenizer, the held-out utterances, max 64 tokens, batch 64, fp32 and bf16 autocast,
best of ``--repeat``, interleaved so that load from other processes hits every candidate alike.

Run: .venv/bin/python benchmarks/bench_encoder_sizes.py [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import torch
from transformers import BertConfig, BertModel

from dialogic.tagging.encoder import Encoder, format_input, load_encoder
from dialogic.tagging.generalisation import load_heldout

ARCHS = {
    "6 layers x 384 (all-MiniLM-L6-v2, current)": dict(
        num_hidden_layers=6, hidden_size=384, num_attention_heads=12, intermediate_size=1536
    ),
    "12 layers x 384 (bge-small / e5-small / gte-small / MiniLM-L12)": dict(
        num_hidden_layers=12, hidden_size=384, num_attention_heads=12, intermediate_size=1536
    ),
    "12 layers x 768 (mpnet-base / bge-base / e5-base)": dict(
        num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base = load_encoder()
    rows = load_heldout("out_of_template")
    texts = [format_input(r.text, r.speaker_role) for r in rows]
    encoders = {}
    for name, arch in ARCHS.items():
        config = BertConfig(vocab_size=base.model.config.vocab_size, **arch)
        encoders[name] = base if name.endswith("current)") else Encoder(base.tokenizer, BertModel(config).eval())
    best = {(n, p): 0.0 for n in ARCHS for p in ("fp32", "bf16")}
    cpu = {(n, p): 0.0 for n in ARCHS for p in ("fp32", "bf16")}
    for _ in range(args.repeat):
        for name, enc in encoders.items():
            for precision in ("fp32", "bf16"):
                started, started_cpu = time.perf_counter(), time.process_time()
                enc.embed(texts, 64, precision=precision)
                best[name, precision] = max(best[name, precision], len(texts) / (time.perf_counter() - started))
                cpu[name, precision] = max(cpu[name, precision], len(texts) / (time.process_time() - started_cpu))
    print(
        f"{len(texts)} held-out utterances, {args.threads} threads, best of {args.repeat}; utt/s of wall time, and "
        "utt per CPU-second x threads (what the wall rate would be on idle cores; less disturbed by other load)\n"
    )
    print(
        "| encoder architecture | fp32 utt/s | bf16 utt/s | fp32 per CPU-s x threads | bf16 per CPU-s x threads |\n|---|---|---|---|---|"
    )
    for name in ARCHS:
        print(
            f"| {name} | {best[name, 'fp32']:.0f} | {best[name, 'bf16']:.0f} | "
            f"{cpu[name, 'fp32'] * args.threads:.0f} | {cpu[name, 'bf16'] * args.threads:.0f} |"
        )


if __name__ == "__main__":
    main()
