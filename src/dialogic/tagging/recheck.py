"""Re-check an existing tagger artifact's bf16 precision and throughput, and re-render its card.

    python -m dialogic.tagging.recheck models/dialogic-tagger-v1
    python -m dialogic.tagging.recheck models/dialogic-tagger-v3 --notes docs/tagger-v3-notes.md
    python -m dialogic.tagging.recheck models/dialogic-tagger-v6 --figures-only

``--notes`` also stores a markdown file (what was tried for this version) in the manifest, which
the card shows under "What was tried for this version".

Kept apart from `dialogic.tagging.precision` because it needs the tagger and the trainer, both of
which import that module.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from dialogic.tagging.corpus import load_training_corpus, split_rows
from dialogic.tagging.evaluate import label_matrix
from dialogic.tagging.precision import bf16_check, cpu_name, measure_rate, native_bf16
from dialogic.tagging.publish import render_model_card
from dialogic.tagging.tagger import load_tagger_from


def check_artifact(artifact: Path, *, threads: int = 2) -> dict:
    """Re-check an artifact's bf16 precision on the test split of the training corpus (the split
    `dialogic train` checked bf16 on) and measure both precisions' throughput on ``threads``
    threads; returns the manifest block."""
    torch.set_num_threads(threads)
    fp32 = load_tagger_from(artifact, precision="fp32")
    bf16 = fp32.in_precision("bf16")
    test = split_rows(load_training_corpus(), "test")
    texts, roles = [r.text for r in test], [r.speaker_role for r in test]
    contexts = [r.context() for r in test]

    def in_bf16(batch: list[str], batch_roles: list[str | None] | None):
        return bf16.codebook_array(batch, batch_roles, contexts if batch is texts else None)  # the codebook's: none

    block = bf16_check(
        fp32.codebook_array(texts, roles, contexts), in_bf16, texts, roles, label_matrix(test), fp32.thresholds
    )
    block["throughput"] = {
        "cpu": cpu_name(),
        "native_bf16": native_bf16(),
        "threads": threads,
        "utterances": len(texts),
        "fp32_per_s": round(measure_rate(lambda: fp32.predict(texts, roles, contexts), len(texts))),
        "bf16_per_s": round(measure_rate(lambda: bf16.predict(texts, roles, contexts), len(texts))),
        "measured_at": time.strftime("%Y-%m-%d"),
    }
    return block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dialogic.tagging.recheck", description=__doc__.splitlines()[0])
    parser.add_argument("artifact", type=Path, help="MODELS/<name>-v<N>")
    parser.add_argument("--notes", type=Path, default=None, help="markdown kept in the manifest as the card's notes")
    parser.add_argument(
        "--outside", action="store_true", help="measure the held-out, rules and real-talk figures again (current code)"
    )
    parser.add_argument(
        "--notes-only", action="store_true", help="only store --notes and re-render the card (no model run)"
    )
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="only measure the held-out, rules and real-talk figures again (as --outside) and re-render the card;"
        " the recorded bf16 check and throughput are kept",
    )
    args = parser.parse_args(argv)
    artifact = args.artifact
    if args.notes_only:
        manifest_path = artifact / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        if args.notes:
            manifest["notes"] = args.notes.read_text(encoding="utf-8")
            manifest["notes_source"] = f"{args.notes.as_posix()}, added to the manifest after training"
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        (artifact / "MODEL_CARD.md").write_text(render_model_card(manifest))
        return 0
    torch.set_num_threads(2)  # as `check_artifact` and every figure in the cards
    block = None if args.figures_only else check_artifact(artifact)
    manifest_path = artifact / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    if args.outside or args.figures_only:
        from dialogic.tagging.generalisation import evaluate_generalisation
        from dialogic.tagging.outside import evaluate_outside

        tagger = load_tagger_from(artifact, precision="fp32")
        figures = evaluate_generalisation(tagger.codebook_array, tagger.thresholds)
        figures |= evaluate_outside(
            tagger.codebook_array, tagger.thresholds, with_context=bool(tagger.input_spec.context)
        )
        kept = manifest["metrics"][manifest["recipe"]].get("generalisation", {})
        manifest["metrics"][manifest["recipe"]]["generalisation"] = {
            **{k: v for k, v in kept.items() if k == "real_talk_threshold_part"},
            **figures,
        }
    if block is not None:
        manifest.pop("int8_ffn", None)
        manifest.setdefault("precision", {})["bf16"] = block
    if args.notes:
        manifest["notes"] = args.notes.read_text(encoding="utf-8")
        manifest["notes_source"] = f"{args.notes.as_posix()}, added to the manifest after training"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    (artifact / "MODEL_CARD.md").write_text(render_model_card(manifest))
    if block is None:
        return 0
    print(json.dumps({k: v for k, v in block.items() if k != "codebook"}, indent=2))
    return 0 if block["usable"] else 1


if __name__ == "__main__":
    sys.exit(main())
