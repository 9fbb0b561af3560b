"""Throughput of the utterance tagger on two CPU threads, batched: the bare encoder against the
tagger in fp32, in bf16 and as served by default, with macro-F1 and the codebook check for each
so that reduced precision is judged on what it costs. A dynamic int8 tagger is measured too, for
reference (dialogic does not serve it).

The utterances are the out-of-template held-out set (data/heldout/written.jsonl, 494 utterances
of written meetings in order), each with its previous utterance, as a context model reads a
stored meeting. The last line is issue #23's budget: tagging at most 5 % of full-pipeline time
for a meeting of realistic density (15–20 utterances a minute), taking the pipeline's measured
65–81 s for 10 minutes of audio on 2 cores (RTF 0.11–0.14, issue #23) as the rest of the
pipeline; roughly >= 50 utterances/s.

Run: .venv/bin/python benchmarks/bench_tagger.py [--model dialogic-tagger-v3] [--repeat 3]
Prints one table measured in one run; ratios are relative to the bare encoder.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import warnings

import torch

import dialogic  # noqa: F401  (offline, no telemetry)
from dialogic.tagging.artifacts import resolve_artifact
from dialogic.tagging.encoder import format_context, format_input
from dialogic.tagging.evaluate import codebook_check, label_matrix, score_predictions
from dialogic.tagging.generalisation import load_heldout
from dialogic.tagging.precision import BATCH_SIZE, cpu_name, measure_rate, native_bf16
from dialogic.tagging.tagger import Tagger, load_tagger_from


def int8_dynamic(tagger: Tagger) -> Tagger:
    """The same tagger with every Linear layer of the encoder dynamically quantised to int8."""
    encoder = copy.copy(tagger.encoder)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch.ao")
    encoder.model = torch.ao.quantization.quantize_dynamic(
        copy.deepcopy(tagger.encoder.model), {torch.nn.Linear}, dtype=torch.qint8
    )
    return dataclasses.replace(tagger, encoder=encoder).in_precision("fp32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    artifact = resolve_artifact(args.model)
    fp32 = load_tagger_from(artifact, precision="fp32")
    served = load_tagger_from(artifact)  # what `dialogic tag` and the pipeline use here
    variants = [
        ("tagger fp32", fp32),
        ("tagger bf16 (autocast)", fp32.in_precision("bf16")),
        (f"tagger as served here ({served.precision})", served),
        ("tagger int8 dynamic, every Linear (not served)", int8_dynamic(fp32)),
    ]
    test = load_heldout("out_of_template")
    texts, roles, contexts = [r.text for r in test], [r.speaker_role for r in test], [r.context() for r in test]
    labels = label_matrix(test)
    n = len(texts)
    spec = fp32.input_spec
    inputs = [format_input(t, r if spec.role else None) for t, r in zip(texts, roles)]
    strings = [format_context(c, spec.context) for c in contexts] if spec.context else None
    bare = measure_rate(lambda: fp32.encoder.embed(inputs, BATCH_SIZE["fp32"], contexts=strings), n, repeat=args.repeat)
    bare_bf16 = measure_rate(
        lambda: fp32.encoder.embed(inputs, BATCH_SIZE["bf16"], precision="bf16", contexts=strings),
        n,
        repeat=args.repeat,
    )

    print(
        f"{fp32.model_version}: {n} held-out utterances (input: {spec.describe()}), {args.threads} torch threads, "
        f"best of {args.repeat}; {cpu_name()}, bf16 units: {'yes' if native_bf16() else 'no'}"
    )
    print(f"{'variant':<48} {'utt/s':>7} {'x bare':>7} {'macro-F1':>9} {'vs fp32':>8} {'codebook':>9}")
    print(f"{'bare encoder fp32 (pooled embeddings only)':<48} {bare:7.0f} {1:7.2f}")
    print(f"{'bare encoder bf16 autocast (pooled embeddings)':<48} {bare_bf16:7.0f} {bare_bf16 / bare:7.2f}")
    reference = None
    rates = {}
    for name, tagger in variants:
        f1 = score_predictions(labels, tagger.predict_array(texts, roles, contexts), tagger.thresholds).macro_f1
        reference = f1 if reference is None else reference
        book = codebook_check(tagger.predict_array, tagger.thresholds)
        rate = measure_rate(lambda: tagger.predict(texts, roles, contexts), n, repeat=args.repeat)
        rates[name] = rate
        print(
            f"{name:<48} {rate:7.0f} {rate / bare:7.2f} {f1:9.4f} {f1 - reference:+8.4f} {book['agree']:>6}/{book['total']}"
        )
    served_rate = rates[f"tagger as served here ({served.precision})"]
    for density, rest_s in ((20, 65.0), (15, 81.0)):
        tag_s = 10 * density / served_rate
        print(
            f"budget: 10 min at {density} utt/min = {10 * density} utterances, {tag_s:.1f} s to tag as served = "
            f"{100 * tag_s / (rest_s + tag_s):.1f} % of a {rest_s:.0f} s pipeline (target <= 5 %, >= 50 utt/s)"
        )


if __name__ == "__main__":
    main()
