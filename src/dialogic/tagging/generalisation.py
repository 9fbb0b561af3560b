"""How a tagger generalises beyond the templates it was trained on.

Three measures, computed by `dialogic train` for every recipe and written into the model card
beside the in-template test split (and runnable on any artifact with
``python -m dialogic.tagging.generalisation --model dialogic-tagger-vN``):

- **out-of-template**: ``data/heldout/written.jsonl``, network-meeting talk hand-written apart from
  the corpus generators (no shared frames or phrase tables), labelled by docs/codebook.md;
- **spoken (ASR)**: ``data/heldout/asr.jsonl``, the same utterances read by espeak-ng voices and
  transcribed by the pipeline's ASR (faster-whisper tiny.en), labels kept from the written text;
- **false-fire rate** per tag on realistic negatives, by speaker role: among held-out utterances
  that the codebook says do *not* carry a tag, the share the model tags anyway. This is the raw
  model; rules applied after it (peer_self_disclosure only for peers) are not applied here.

Run as a module it also checks the worked examples of docs/codebook.md (labels that count, after
the role rule), so one command gives every figure needed to compare two versions on these sets.

Nothing here is used to choose a model, an epoch, a threshold or a calibration: those are fitted
on dev only. These sets are reported, never tuned on.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dialogic.paths import _REPO_DIR
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import LabelledUtterance, load_seed_corpus
from dialogic.tagging.evaluate import codebook_check, label_matrix, score_predictions

Probabilities = Callable[..., np.ndarray]  # (texts, roles, contexts) -> n × tags
HELDOUT_SETS = {"out_of_template": "written.jsonl", "asr": "asr.jsonl"}
ROLES = ("clinician", "peer", "network", "service_user", "other")


def heldout_dir() -> Path:
    return _REPO_DIR / "data" / "heldout"


def load_heldout(name: str) -> list[LabelledUtterance]:
    """One held-out set by name (``out_of_template`` or ``asr``); empty when the file is absent."""
    path = heldout_dir() / HELDOUT_SETS[name]
    return load_seed_corpus(path) if path.is_file() else []


def false_fire(rows: list[LabelledUtterance], probs: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Per tag: share of the utterances labelled 0 for it that the model tags, over all roles
    and per role, with the counts it is computed on."""
    labels = label_matrix(rows)
    roles = np.array([r.speaker_role or "unknown" for r in rows])
    out = {}
    for j, tag in enumerate(TAGS):
        negative = labels[:, j] == 0
        fired = probs[:, j] >= thresholds[tag]
        entry = {
            "all": {
                "rate": round(float(fired[negative].mean()) if negative.any() else 0.0, 4),
                "n": int(negative.sum()),
                "fired": int((fired & negative).sum()),
            }
        }
        for role in ROLES:
            mask = negative & (roles == role)
            if mask.any():
                entry[role] = {
                    "rate": round(float(fired[mask].mean()), 4),
                    "n": int(mask.sum()),
                    "fired": int((fired & mask).sum()),
                }
        out[tag] = entry
    return out


def after_role_rule(probs: np.ndarray, roles: list[str | None]) -> np.ndarray:
    """Probabilities as the views count them: 0 for a tag the codebook's role rule rules out for
    the speaker's known role (``peer_self_disclosure`` from anyone but a peer worker); an unknown
    role keeps the model's probability (a candidate)."""
    return _ruled_out(probs, roles, 0.0)


def labels_that_count(labels: np.ndarray, roles: list[str | None]) -> np.ndarray:
    """Reference labels as the codebook counts them: no (0) for a tag its role rule rules out for
    the speaker's role, whatever the label says of the words. The written held-out sets code a
    few non-peers' own lived experience yes (a judgement call of their README); as counted they
    are no, as a rater following the codebook codes them, and the predictions they are scored
    against have the same rule applied (`after_role_rule`). Unjudged labels (-1) stay unjudged."""
    return np.where(labels >= 0, _ruled_out(labels, roles, 0), labels)


def _ruled_out(matrix: np.ndarray, roles: list[str | None], value: float) -> np.ndarray:
    from dialogic.tagging.codebook import tag_role_rule

    out = matrix.copy()
    for j, tag in enumerate(TAGS):
        for i, role in enumerate(roles):
            if tag_role_rule(tag, role) == "not_applicable":
                out[i, j] = value
    return out


def evaluate_generalisation(probabilities: Probabilities, thresholds: dict[str, float]) -> dict:
    """Scores, ECE and false-fire rates on every held-out set present."""
    result = {}
    for name in HELDOUT_SETS:
        rows = load_heldout(name)
        if not rows:
            continue
        probs = probabilities([r.text for r in rows], [r.speaker_role for r in rows], [r.context() for r in rows])
        scores = score_predictions(label_matrix(rows), probs, thresholds)
        roles = [r.speaker_role for r in rows]
        counted = score_predictions(
            labels_that_count(label_matrix(rows), roles), after_role_rule(probs, roles), thresholds
        )
        result[name] = {
            "n": len(rows),
            **scores.as_dict(),
            "false_fire": false_fire(rows, probs, thresholds),
            "counted": counted.as_dict(),
        }
    return result


def render_generalisation(metrics: dict, in_template: dict | None = None) -> str:
    """Markdown: per-tag F1 on each held-out set beside the in-template test split, and the
    false-fire table by role."""
    if not metrics:
        return "No held-out sets were found (data/heldout/), so nothing beyond the in-template test was measured."
    columns = ([("in-template test", in_template)] if in_template else []) + [
        (label, metrics[key])
        for key, label in (("out_of_template", "out-of-template (hand-written)"), ("asr", "spoken (ASR)"))
        if key in metrics
    ]
    head = "| tag | " + " | ".join(f"{c} F1 (P / R)" for c, _ in columns) + " |"
    lines = [head, "|---|" + "---|" * len(columns)]
    for tag in TAGS:
        cells = [
            f"{m['per_tag'][tag]['f1']:.3f} ({m['per_tag'][tag]['precision']:.2f} / {m['per_tag'][tag]['recall']:.2f})"
            for _, m in columns
        ]
        lines.append(f"| `{tag}` | " + " | ".join(cells) + " |")
    lines.append("| **macro-F1** | " + " | ".join(f"**{m['macro_f1']:.3f}**" for _, m in columns) + " |")
    lines.append("| ECE (pooled) | " + " | ".join(f"{m['ece']:.3f}" for _, m in columns) + " |")
    lines.append(
        "| utterances | "
        + " | ".join(str(m.get("n") or next(iter(m["per_tag"].values()))["n"]) for _, m in columns)
        + " |"
    )
    parts = ["\n".join(lines)]
    for key, label in (("out_of_template", "out-of-template"), ("asr", "spoken (ASR)")):
        if key not in metrics:
            continue
        ff = metrics[key]["false_fire"]
        rows = ["| tag | all roles | " + " | ".join(ROLES) + " |", "|---|---|" + "---|" * len(ROLES)]
        for tag in TAGS:
            cells = [
                f"{ff[tag][r]['rate'] * 100:.1f} % ({ff[tag][r]['fired']}/{ff[tag][r]['n']})" if r in ff[tag] else "–"
                for r in ("all",) + ROLES
            ]
            rows.append(f"| `{tag}` | " + " | ".join(cells) + " |")
        parts.append(
            f"False-fire rate on the {label} set's negatives for each tag (utterances the codebook says "
            "do not carry it), by speaker role, raw model before any role rule:\n\n" + "\n".join(rows)
        )
    return "\n\n".join(parts)


def evaluation_arguments(description: str):
    """The arguments every evaluation command takes (--model, --precision, --threads, --json), and
    the tagger they name, loaded on that many torch threads."""
    import torch

    from dialogic.tagging.tagger import load_tagger_from, resolve_artifact

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", default=None, help="<name>-v<N> or folder (default: newest)")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args, load_tagger_from(resolve_artifact(args.model), precision=args.precision)


def main() -> None:
    from dialogic.tagging.corpus import split_rows

    args, tagger = evaluation_arguments(__doc__.splitlines()[0])
    probabilities = tagger.codebook_array
    seed_test = split_rows(load_seed_corpus(), "test")
    in_template = score_predictions(
        label_matrix(seed_test),
        # with each row's context where it has one, as the held-out sets below are scored
        probabilities(
            [r.text for r in seed_test], [r.speaker_role for r in seed_test], [r.context() for r in seed_test]
        ),
        tagger.thresholds,
    ).as_dict()
    metrics = evaluate_generalisation(probabilities, tagger.thresholds)
    codebook = codebook_check(probabilities, tagger.thresholds)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "model": tagger.model_version,
                    "precision": args.precision,
                    "seed_test": in_template,
                    "codebook": codebook,
                    **metrics,
                },
                indent=2,
            )
            + "\n"
        )
    print(f"{tagger.model_version} ({args.precision}); in-template = seed corpus test split ({len(seed_test)})\n")
    print(render_generalisation(metrics, in_template))
    wrong = ", ".join(codebook["wrong"]) or "none"
    print(
        f"\nWorked examples of the codebook: {codebook['agree']} of {codebook['total']} as it says (missed: {wrong})."
    )


if __name__ == "__main__":
    main()
