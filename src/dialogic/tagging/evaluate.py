"""Scores for multi-label taggers: per-tag precision / recall / F1, macro-F1, calibration error,
the two things fitted on the dev split — Platt calibration and a threshold per tag — and the
check against the codebook's worked examples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from dialogic.tagging.codebook import TAGS, load_codebook_examples, tag_role_rule
from dialogic.tagging.corpus import LabelledUtterance


@dataclass(frozen=True)
class TagScore:
    precision: float
    recall: float
    f1: float
    support: int  # positives among the judged utterances
    n: int  # judged utterances
    ece: float
    false_fire: float | None = None  # share of the judged negatives tagged anyway


@dataclass(frozen=True)
class Scores:
    """Figures for one split; ``ece`` pools every (utterance, tag) probability into 10 bins."""

    per_tag: dict[str, TagScore]
    macro_f1: float
    ece: float

    def as_dict(self) -> dict:
        return {"macro_f1": self.macro_f1, "ece": self.ece, "per_tag": {t: asdict(s) for t, s in self.per_tag.items()}}


def _f1(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(pred & y))
    fp = float(np.sum(pred & ~y))
    fn = float(np.sum(~pred & y))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def false_fire_rate(y: np.ndarray, pred: np.ndarray) -> float:
    """Share of the negatives (``y`` false) that are predicted positive; 0 when there are none."""
    negatives = ~y
    return float(np.sum(pred & negatives)) / float(np.sum(negatives)) if negatives.any() else 0.0


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |observed rate - mean probability| over equal-width probability bins, weighted by count."""
    y, p = y.astype(float).ravel(), p.ravel()
    if len(p) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(y[mask].mean() - p[mask].mean())
    return float(total / len(p))


def score_predictions(labels: np.ndarray, probs: np.ndarray, thresholds: dict[str, float]) -> Scores:
    """``labels`` is n × tags with 1, 0 or -1 (not judged); ``probs`` n × tags."""
    per_tag = {}
    ys, ps = [], []
    for j, tag in enumerate(TAGS):
        judged = labels[:, j] >= 0
        y = labels[judged, j].astype(bool)
        p = probs[judged, j]
        precision, recall, f1 = _f1(y, p >= thresholds[tag])
        per_tag[tag] = TagScore(
            round(precision, 4),
            round(recall, 4),
            round(f1, 4),
            int(y.sum()),
            int(judged.sum()),
            round(expected_calibration_error(y, p), 4),
            round(false_fire_rate(y, p >= thresholds[tag]), 4),
        )
        ys.append(y)
        ps.append(p)
    macro = float(np.mean([s.f1 for s in per_tag.values()]))
    ece = expected_calibration_error(np.concatenate(ys), np.concatenate(ps))
    return Scores(per_tag=per_tag, macro_f1=round(macro, 4), ece=round(ece, 4))


def choose_thresholds(
    labels: np.ndarray,
    probs: np.ndarray,
    max_false_fire: float | Sequence[float] | None = None,
    *,
    min_f1: float = 0.0,
    negatives: tuple[np.ndarray, np.ndarray] | None = None,
    plateau: float = 0.0,
) -> dict[str, float]:
    """Per tag, the probability cut that maximises F1 on these (dev) labels; among equal F1s the
    one closest to 0.5, so a flat stretch does not push the cut to an extreme.

    With ``max_false_fire`` (a share, e.g. 0.01) only cuts that tag at most that share of the
    tag's negatives are considered: in a real meeting most utterances carry no tag, so a false
    fire costs more than the balanced dev split's F1 says. Given several shares, tightest first,
    a tag gets the tightest one whose best cut keeps its F1 at ``min_f1`` or more (the last one
    when none does). When no cut on the grid (up to 0.95) meets a cap, the highest one is taken.

    ``negatives``: (labels, probs) of real talk. Given, a tag's false fires are counted on its
    trusted negatives there (label 0) instead of on these labels' negatives — F1 still comes from
    these labels — wherever real talk has at least 100 negatives for the tag.

    ``plateau`` (an F1 difference, e.g. 0.01): instead of the single F1-best cut, the lowest
    allowed cut whose dev F1 is within ``plateau`` of the best. Dev F1 is often flat over a wide
    range of cuts, and the argmax then lands anywhere in it from one training run to the next;
    among cuts dev cannot tell apart, the lowest keeps the most recall on utterances phrased
    unlike the training generators (which score lower than dev positives), while the false-fire
    cap still holds. The step to the next cap is decided on the best cut's F1."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    caps: list[float | None] = (
        [max_false_fire] if max_false_fire is None or isinstance(max_false_fire, float | int) else list(max_false_fire)
    )
    chosen = {}
    for j, tag in enumerate(TAGS):
        judged = labels[:, j] >= 0
        y, p = labels[judged, j].astype(bool), probs[judged, j]
        ny, np_ = y, p
        if negatives is not None and int((negatives[0][:, j] == 0).sum()) >= 100:
            real = negatives[0][:, j] == 0
            ny, np_ = np.zeros(int(real.sum()), dtype=bool), negatives[1][real, j]
        for cap in caps:
            allowed = [t for t in grid if cap is None or false_fire_rate(ny, np_ >= t) <= cap] or [grid[-1]]
            f1 = {t: round(_f1(y, p >= t)[2], 4) for t in allowed}
            best = max(allowed, key=lambda t: (f1[t], -abs(t - 0.5)))
            chosen[tag] = float(min(t for t in allowed if f1[t] >= f1[best] - plateau) if plateau else best)
            if _f1(y, p >= best)[2] >= min_f1:
                break
    return chosen


def fit_platt(labels: np.ndarray, logits: np.ndarray) -> dict[str, tuple[float, float]]:
    """Per tag, (a, b) so that sigmoid(a * logit + b) is calibrated on these (dev) labels."""
    from sklearn.linear_model import LogisticRegression

    params = {}
    for j, tag in enumerate(TAGS):
        judged = labels[:, j] >= 0
        y = labels[judged, j].astype(int)
        if len(set(y.tolist())) < 2:
            params[tag] = (1.0, 0.0)  # nothing to fit against; keep the raw logits
            continue
        model = LogisticRegression(C=100.0).fit(logits[judged, j : j + 1], y)
        params[tag] = (float(model.coef_[0, 0]), float(model.intercept_[0]))
    return params


def apply_platt(logits: np.ndarray, params: dict[str, tuple[float, float]], tags: tuple[str, ...] = TAGS) -> np.ndarray:
    """Calibrated probabilities of ``logits`` (n × ``tags``, in that order)."""
    a = np.array([params[t][0] for t in tags])
    b = np.array([params[t][1] for t in tags])
    return 1.0 / (1.0 + np.exp(-(logits * a + b)))


def label_matrix(rows: list[LabelledUtterance]) -> np.ndarray:
    """n × tags of 1 / 0, or -1 where nobody judged that tag for that utterance."""
    return np.array([[row.labels.get(tag, -1) for tag in TAGS] for row in rows], dtype=np.int64).reshape(
        len(rows), len(TAGS)
    )


def codebook_check(
    probabilities: Callable[[list[str], list[str | None]], np.ndarray], thresholds: dict[str, float]
) -> dict:
    """How many worked examples of docs/codebook.md (never trained on) are tagged as it says."""
    examples = load_codebook_examples()
    probs = probabilities([e.text for e in examples], [e.speaker_role for e in examples])
    column = {tag: j for j, tag in enumerate(TAGS)}
    # a label counts as the views count it: only where the codebook's role rule applies
    wrong = [
        e.example_id
        for e, p in zip(examples, probs)
        if (p[column[e.tag]] >= thresholds[e.tag] and tag_role_rule(e.tag, e.speaker_role) == "applies") != e.expected
    ]
    return {"agree": len(examples) - len(wrong), "total": len(examples), "wrong": wrong}
