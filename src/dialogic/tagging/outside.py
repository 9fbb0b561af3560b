"""Figures on material the training data's generators did not write: recall by codebook rule,
false fires by "code no" rule, precision–recall per tag, and false fires on real talk.

- **rules** (scored after the codebook's role rule, as the views count a label):
  ``data/heldout/rules.jsonl``, written by ``data/heldout/build_rules_eval.py`` — a
  different generator (hand-listed utterances and their preceding turns) from the training
  corpus's (``data/seed/build_rules.py``, templates). Each row names the codebook rule it was
  written for (``persuasion+legal_leverage``, ``persuasion-neutral_information``, …); recall is
  counted per "code yes" rule and false fires per "code no" rule, each on its own tag.
- **real talk, dev part** (`dialogic.tagging.real_talk`, absent when the set is): false fires per
  tag on trusted negatives with the role unknown; recall on the source's clean positives
  (``preference_elicitation``: asks for preferences in other domains; ``persuasion``: a diagnostic,
  as the codebook does not agree with most of them).

Reported, never used to choose anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dialogic.paths import _REPO_DIR
from dialogic.tagging import real_talk
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import LabelledUtterance, load_seed_corpus
from dialogic.tagging.evaluate import _f1, expected_calibration_error, label_matrix, score_predictions
from dialogic.tagging.generalisation import after_role_rule, evaluation_arguments, labels_that_count

Probabilities = Callable[..., np.ndarray]  # (texts, roles, contexts) -> n × tags
PR_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.05))
REAL_TALK_DEV_NEGATIVES = 4000


def rules_path() -> Path:
    return _REPO_DIR / "data" / "heldout" / "rules.jsonl"


def load_rules_set(path: Path | None = None) -> tuple[list[LabelledUtterance], list[str]]:
    """The rows and, in the same order, the codebook rule each was written for."""
    path = path or rules_path()
    if not path.is_file():
        return [], []
    rows = load_seed_corpus(path)
    rules = [json.loads(line)["rule"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows, rules


def pr_curve(y: np.ndarray, p: np.ndarray) -> list[dict]:
    """Precision and recall at each cut of `PR_GRID`."""
    out = []
    for cut in PR_GRID:
        precision, recall, f1 = _f1(y, p >= cut)
        out.append({"cut": cut, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)})
    return out


def by_rule(rows: list[LabelledUtterance], rules: list[str], probs: np.ndarray, thresholds: dict[str, float]) -> dict:
    """Per rule: the tag it is about, whether it is a "code yes" rule, how many rows, and how many
    the model tags (recall for a yes rule, false fires for a no rule)."""
    out: dict[str, dict] = {}
    column = {t: j for j, t in enumerate(TAGS)}
    for row, rule, p in zip(rows, rules, probs):
        tag, sign = (rule.split("+", 1)[0], "+") if "+" in rule else (rule.split("-", 1)[0], "-")
        entry = out.setdefault(rule, {"tag": tag, "code": "yes" if sign == "+" else "no", "n": 0, "tagged": 0})
        entry["n"] += 1
        entry["tagged"] += int(p[column[tag]] >= thresholds[tag])
    for entry in out.values():
        entry["rate"] = round(entry["tagged"] / entry["n"], 4)
    return dict(sorted(out.items()))


def evaluate_rules(probabilities: Probabilities, thresholds: dict[str, float], *, with_context: bool = True) -> dict:
    rows, rules = load_rules_set()
    if not rows:
        return {}
    texts, roles = [r.text for r in rows], [r.speaker_role for r in rows]
    probs = after_role_rule(probabilities(texts, roles, [r.context() for r in rows]), roles)
    labels = labels_that_count(label_matrix(rows), roles)
    result = {
        "n": len(rows),
        **score_predictions(labels, probs, thresholds).as_dict(),
        "by_rule": by_rule(rows, rules, probs, thresholds),
        "pr": {
            t: pr_curve(labels[labels[:, j] >= 0, j].astype(bool), probs[labels[:, j] >= 0, j])
            for j, t in enumerate(TAGS)
        },
    }
    if with_context:
        bare = after_role_rule(probabilities(texts, roles, None), roles)
        result["without_context"] = {
            **score_predictions(labels, bare, thresholds).as_dict(),
            "by_rule": by_rule(rows, rules, bare, thresholds),
        }
    return result


def evaluate_real_talk(probabilities: Probabilities, thresholds: dict[str, float]) -> dict:
    if not real_talk.available():
        return {}
    rows = real_talk.sample_part(real_talk.load_real_talk(), "dev", negatives=REAL_TALK_DEV_NEGATIVES)
    probs = probabilities([r.text for r in rows], None, [r.context() for r in rows])
    labels = label_matrix(rows)
    out: dict = {"n": len(rows), "per_tag": {}}
    for j, tag in enumerate(TAGS):
        neg, pos = labels[:, j] == 0, labels[:, j] == 1
        fired = probs[:, j] >= thresholds[tag]
        entry = {"negatives": int(neg.sum()), "false_fire": round(float(fired[neg].mean()) if neg.any() else 0.0, 4)}
        if pos.any():
            entry |= {"positives": int(pos.sum()), "recall": round(float(fired[pos].mean()), 4)}
        judged = labels[:, j] >= 0
        entry["ece"] = round(expected_calibration_error(labels[judged, j].astype(bool), probs[judged, j]), 4)
        out["per_tag"][tag] = entry
    return out


def evaluate_outside(probabilities: Probabilities, thresholds: dict[str, float], *, with_context: bool = True) -> dict:
    result = {}
    rules = evaluate_rules(probabilities, thresholds, with_context=with_context)
    if rules:
        result["rules"] = rules
    real = evaluate_real_talk(probabilities, thresholds)
    if real:
        result["real_talk_dev"] = real
    return result


def render_outside(metrics: dict) -> str:
    """Markdown tables: recall / false fires by rule, real-talk dev, precision–recall per tag."""
    parts = []
    rules = metrics.get("rules")
    if rules:
        bare = rules.get("without_context", {}).get("by_rule", {})
        lines = [
            "| rule | code | n | tagged | rate" + (" | rate without context" if bare else "") + " |",
            "|---|---|---|---|---|" + ("---|" if bare else ""),
        ]
        for rule, e in rules["by_rule"].items():
            extra = f" | {100 * bare[rule]['rate']:.0f} %" if bare else ""
            lines.append(f"| `{rule}` | {e['code']} | {e['n']} | {e['tagged']} | {100 * e['rate']:.0f} %{extra} |")
        per_tag = " ; ".join(
            f"`{t}` P {s['precision']:.2f} R {s['recall']:.2f} F1 {s['f1']:.3f}" for t, s in rules["per_tag"].items()
        )
        no_ctx = (
            f" Without context (same model, context withheld): macro-F1 {rules['without_context']['macro_f1']:.3f}."
            if "without_context" in rules
            else ""
        )
        parts.append(
            f"Rules set ({rules['n']} utterances, `data/heldout/rules.jsonl`): macro-F1 {rules['macro_f1']:.3f}, "
            f"ECE {rules['ece']:.3f}; {per_tag}.{no_ctx} Rate = recall for a *code yes* rule, false fires for a "
            "*code no* rule, each on the rule's own tag.\n\n" + "\n".join(lines)
        )
        pr = ["| tag | " + " | ".join(f"{c:.2f}" for c in PR_GRID[1::2]) + " |", "|---|" + "---|" * len(PR_GRID[1::2])]
        for tag, curve in rules["pr"].items():
            pr.append(
                f"| `{tag}` | " + " | ".join(f"{p['precision']:.2f}/{p['recall']:.2f}" for p in curve[1::2]) + " |"
            )
        parts.append("Precision/recall on the rules set by cut:\n\n" + "\n".join(pr))
    real = metrics.get("real_talk_dev")
    if real:
        lines = ["| tag | false fire (negatives) | recall (positives) | ECE |", "|---|---|---|---|"]
        for tag, e in real["per_tag"].items():
            recall = f"{e['recall']:.2f} ({e['positives']})" if "recall" in e else "–"
            lines.append(f"| `{tag}` | {100 * e['false_fire']:.2f} % ({e['negatives']}) | {recall} | {e['ece']:.3f} |")
        parts.append(
            f"Real talk, dev part ({real['n']} utterances, role unknown, with their previous utterance):\n\n"
            + "\n".join(lines)
        )
    return "\n\n".join(parts)


def main() -> None:
    args, tagger = evaluation_arguments(__doc__.splitlines()[0])
    metrics = evaluate_outside(tagger.codebook_array, tagger.thresholds, with_context=bool(tagger.input_spec.context))
    if args.json:
        args.json.write_text(json.dumps({"model": tagger.model_version, **metrics}, indent=2) + "\n")
    print(f"{tagger.model_version} ({args.precision})\n")
    print(render_outside(metrics))


if __name__ == "__main__":
    main()
