"""How far raters agree with each other and with the model, per tag.

:func:`compute_agreement` computes the figures with maintained libraries (scikit-learn's
``cohen_kappa_score``, the ``krippendorff`` package) from the raters' current answers;
:func:`read_agreement_views` reads the same figures from the SQL views that analysts query
(``agreement_rater_pairs``, ``agreement_krippendorff``, ``agreement_model_rater``). The tests
hold the two to the same numbers. A statistic that is undefined (no variation at all in the
answers compared) is None in both.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import duckdb
import numpy as np


@dataclass(frozen=True)
class PairKappa:
    """Cohen's κ between two raters on one tag, over the utterances both answered."""

    tag: str
    rater_a: str
    rater_b: str
    n_items: int
    cohen_kappa: float | None


@dataclass(frozen=True)
class TagAlpha:
    """Krippendorff's α (nominal) across every rater on one tag."""

    tag: str
    n_items: int  # utterances answered by at least two raters
    n_raters: int
    alpha: float | None


@dataclass(frozen=True)
class ModelRaterKappa:
    """Cohen's κ between the current model's labels and one rater's answers on one tag."""

    tag: str
    rater_id: str
    n: int
    kappa: float | None


@dataclass
class AgreementReport:
    pairs: list[PairKappa] = field(default_factory=list)
    alphas: list[TagAlpha] = field(default_factory=list)
    model_rater: list[ModelRaterKappa] = field(default_factory=list)


def cohen_kappa(a: list[bool], b: list[bool]) -> float | None:
    """Cohen's κ of two paired answer lists via scikit-learn; None when it is undefined.

    κ is 0/0 when both lists hold one and the same answer throughout, so that case is None
    rather than scikit-learn's NaN with a warning.
    """
    from sklearn.metrics import cohen_kappa_score

    if not a or len(set(a) | set(b)) < 2:
        return None
    return float(cohen_kappa_score(a, b, labels=[False, True]))


def krippendorff_alpha(answers_by_rater: dict[str, dict[str, bool]]) -> float | None:
    """Nominal Krippendorff's α via the ``krippendorff`` package; None when it is undefined."""
    import krippendorff

    raters = sorted(answers_by_rater)
    units = sorted({unit for answers in answers_by_rater.values() for unit in answers})
    data = np.full((len(raters), len(units)), np.nan)
    column = {unit: j for j, unit in enumerate(units)}
    for i, rater in enumerate(raters):
        for unit, value in answers_by_rater[rater].items():
            data[i, column[unit]] = 1.0 if value else 0.0
    # Only units answered twice or more can be paired; α needs both answers among them.
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    values = data[:, pairable]
    if not pairable.any() or len(np.unique(values[~np.isnan(values)])) < 2:
        return None
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    return None if math.isnan(alpha) else alpha


def compute_agreement(con: duckdb.DuckDBPyConnection) -> AgreementReport:
    """Agreement per tag from the raters' current, non-stale answers, computed by the libraries."""
    answers: dict[str, dict[str, dict[str, bool]]] = defaultdict(lambda: defaultdict(dict))
    for tag, rater_id, utterance_id, value in con.execute(
        "select tag, rater_id, utterance_id, value from rating_current where not is_stale"
    ).fetchall():
        answers[tag][rater_id][utterance_id] = value
    model: dict[str, dict[str, bool]] = defaultdict(dict)
    for tag, utterance_id, label in con.execute("select tag, utterance_id, label from rating_model_tags").fetchall():
        model[tag][utterance_id] = label

    report = AgreementReport()
    for tag in sorted(answers):
        by_rater = answers[tag]
        for rater_a, rater_b in combinations(sorted(by_rater), 2):
            shared = sorted(set(by_rater[rater_a]) & set(by_rater[rater_b]))
            if shared:
                report.pairs.append(
                    PairKappa(
                        tag,
                        rater_a,
                        rater_b,
                        len(shared),
                        cohen_kappa([by_rater[rater_a][u] for u in shared], [by_rater[rater_b][u] for u in shared]),
                    )
                )
        unit_counts = defaultdict(int)
        for rater_answers in by_rater.values():
            for unit in rater_answers:
                unit_counts[unit] += 1
        pairable = {unit for unit, count in unit_counts.items() if count >= 2}
        if pairable:
            n_raters = sum(1 for rater_answers in by_rater.values() if pairable & set(rater_answers))
            report.alphas.append(TagAlpha(tag, len(pairable), n_raters, krippendorff_alpha(by_rater)))
        for rater_id in sorted(by_rater):
            shared = sorted(set(by_rater[rater_id]) & set(model[tag]))
            if shared:
                report.model_rater.append(
                    ModelRaterKappa(
                        tag,
                        rater_id,
                        len(shared),
                        cohen_kappa([by_rater[rater_id][u] for u in shared], [model[tag][u] for u in shared]),
                    )
                )
    return report


def read_agreement_views(con: duckdb.DuckDBPyConnection) -> AgreementReport:
    """The same figures as :func:`compute_agreement`, read from the SQL views."""
    return AgreementReport(
        pairs=[
            PairKappa(*row)
            for row in con.execute(
                "select tag, rater_a, rater_b, n_items, cohen_kappa from agreement_rater_pairs order by all"
            ).fetchall()
        ],
        alphas=[
            TagAlpha(*row)
            for row in con.execute(
                "select tag, n_items, n_raters, alpha from agreement_krippendorff order by tag"
            ).fetchall()
        ],
        model_rater=[
            ModelRaterKappa(*row)
            for row in con.execute(
                "select tag, rater_id, n, kappa from agreement_model_rater order by tag, rater_id"
            ).fetchall()
        ],
    )
