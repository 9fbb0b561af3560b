"""How many items to rate before the intervals are as narrow as a study needs.

Per tag, by simulating the report on the design the sampler would draw:

* for a candidate ``--n``, the strata and allocation are :func:`dialogic.validation.sample.stratify`'s
  on this study's own population (so the plan is a ``--n`` that `dialogic validate sample` can use,
  with its even split over predicted levels; it cannot oversample one stratum further);
* in each stratum the model's labels are the census; the truth of a drawn item is drawn at the
  planning values: precision P among tagged utterances, a missed-tag rate q among untagged ones;
* the report's own interval (:func:`~dialogic.validation.intervals.figure_intervals`, with the
  finite population correction of each stratum) gives precision's and recall's half-width in
  each of ``replications`` simulated samples; the plan is the least ``--n`` whose median
  half-width of both is at most the one asked for (found by doubling, then bisection). Rating the
  whole population makes a census, whose figures are exact, so no plan exceeds it.

Planning values are the figures seen so far among decided items (weighted): where a figure is
seen at 0 or 1, its Clopper–Pearson bound on the items seen (towards ½) is used instead, and
where nothing is seen, the worst case P = ½ and a missed rate that would make recall ½; the plan
says which. Whole meetings for the ICC: Bonett's (2002, *Statistics in Medicine* 21: 1331–1335)
n = 8 z² (1 − ρ)² (1 + (k − 1) ρ)² / (k (k − 1) w²) + 1 for an interval of width w = 2h with k
raters at a planning value ρ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
from scipy import stats as _sps
from statsmodels.stats.proportion import proportion_confint

from dialogic.errors import LookupFailed
from dialogic.tagging.codebook import TAGS
from dialogic.validation.intervals import figure_intervals
from dialogic.validation.sample import read_population, stratify


@dataclass(frozen=True)
class TagPlan:
    tag: str
    population: int  # utterances of the tagger version in consented meetings
    tagged: int  # of them tagged by the model
    prevalence_seen: float | None  # weighted consensus prevalence so far (None: nothing decided)
    precision_seen: float | None
    precision_planned: float  # the planning values used
    missed_rate_planned: float
    n: int | None  # the least --n that gives the half-width (None: the model tags nothing)
    precision_half_width: float | None  # median half-widths the report would give at n
    recall_half_width: float | None
    note: str


@dataclass(frozen=True)
class MeetingPlan:
    icc_planning_value: float
    raters: int
    meetings: int
    note: str


def simulated_half_widths(
    population: list[tuple],
    tag_index: int,
    precision: float,
    missed_rate: float,
    n: int,
    *,
    replications: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Median half-width of precision and of recall that the report would give on a sample of
    ``n`` drawn by the sampler from ``population`` (rows as :func:`stratify` reads them), the
    truth drawn at the planning values. An undefined figure counts as half-width ½."""
    rng = np.random.default_rng(seed)
    m_cols, t_cols, weights, fractions, codes = [], [], [], [], []
    for h, (_, _, items, quota) in enumerate(stratify(population, n)):
        k = min(quota, len(items))
        if k == 0:
            continue
        tagged = sum(bool(r[4 + tag_index]) for r in items)
        m1 = rng.hypergeometric(tagged, len(items) - tagged, k, size=replications)
        t1 = rng.binomial(m1, precision)
        t0 = rng.binomial(k - m1, missed_rate)
        position = np.arange(k)[None, :]
        model = position < m1[:, None]
        truth = np.where(model, position < t1[:, None], position - m1[:, None] < t0[:, None])
        m_cols.append(model)
        t_cols.append(truth)
        weights += [len(items) / k] * k
        fractions += [k / len(items)] * k
        codes += [h] * k
    m = np.concatenate(m_cols, axis=1).astype(float)
    t = np.concatenate(t_cols, axis=1).astype(float)
    out = []
    for figure in ("precision", "recall"):
        _, low, high = figure_intervals(figure, m, t, np.array(weights), np.array(codes), np.array(fractions), level)
        out.append(float(np.median(np.nan_to_num((high - low) / 2, nan=0.5))))
    return out[0], out[1]


def least_n(
    population: list[tuple],
    tag_index: int,
    precision: float,
    missed_rate: float,
    half_width: float,
    *,
    replications: int = 200,
    seed: int = 0,
) -> tuple[int, float, float]:
    """The least ``--n`` (doubling, then bisection) whose simulated median half-widths of
    precision and recall are both at most ``half_width``; never more than the population (a
    census, whose figures are exact). Returns (n, precision half-width, recall half-width)."""
    levels = len({lvl for lvl, _, _, _ in stratify(population, len(population))})

    def widths(n: int) -> tuple[float, float]:
        return simulated_half_widths(
            population, tag_index, precision, missed_rate, n, replications=replications, seed=seed
        )

    low, high = levels - 1, max(levels, 32)
    while high < len(population) and max(widths(high)) > half_width:
        low, high = high, min(2 * high, len(population))
    while high - low > max(1, high // 50):  # to within 2 %: a plan, not a promise
        mid = (low + high) // 2
        if mid >= levels and max(widths(mid)) <= half_width:
            high = mid
        else:
            low = mid
    return (high, *widths(high))


def _bound_towards_half(value: float, items: int) -> float:
    """A figure seen at exactly 0 or 1 on ``items`` items: its Clopper–Pearson bound towards ½."""
    low, high = proportion_confint(value * items, max(items, 1), alpha=0.05, method="beta")
    return float(high) if value <= 0 else float(low)


def meetings_for_icc(icc: float, raters: int, half_width: float, level: float = 0.95) -> int:
    """Bonett (2002): whole meetings for an ICC interval of width 2·half_width."""
    z = _sps.norm.isf((1 - level) / 2)
    width = 2 * half_width
    k = raters
    return math.ceil(8 * z**2 * (1 - icc) ** 2 * (1 + (k - 1) * icc) ** 2 / (k * (k - 1) * width**2) + 1)


def plan_validation(
    con: duckdb.DuckDBPyConnection,
    *,
    half_width: float = 0.1,
    icc_half_width: float = 0.15,
    raters: int = 2,
    icc_planning: float | None = None,
    tagger: str | None = None,
    replications: int = 200,
) -> tuple[list[TagPlan], MeetingPlan]:
    """The plan for every tag and for the meeting-level ICC (see the module docstring)."""
    rows = [r for r in read_population(con, None) if r[3] is not None]
    versions: dict[str, int] = {}
    for r in rows:
        versions[r[3]] = versions.get(r[3], 0) + 1
    version = tagger or (max(versions, key=lambda v: (versions[v], v)) if versions else None)
    population = [r for r in rows if r[3] == version]
    if not population:
        raise LookupFailed(
            "nothing to plan: no tagged utterances in meetings whose consent covers review"
            + (f" tagged by {tagger}" if tagger else "")
        )
    plans = []
    for i, tag in enumerate(TAGS):
        tagged = sum(bool(r[4 + i]) for r in population)
        untagged = len(population) - tagged
        seen = con.execute(
            """
            select sum(weight * consensus::int) / sum(weight),
                   sum(weight * consensus::int) filter (where model_label) / sum(weight) filter (where model_label),
                   count(*) filter (where model_label),
                   sum(weight * consensus::int) filter (where not model_label) / sum(weight) filter (where not model_label),
                   count(*) filter (where not model_label)
            from validation_item_truth
            where tag = ? and consensus is not null
              and sample_id in (select sample_id from validation_samples where tagger_model_version = ?)
            """,
            [tag, version],
        ).fetchone()
        prevalence, precision, n_tagged_seen, missed, n_untagged_seen = seen
        notes = []
        if precision is None:
            p = 0.5
            notes.append("precision not seen yet: planned at the worst case 0.5")
        elif precision in (0.0, 1.0):
            p = _bound_towards_half(precision, n_tagged_seen)
            notes.append(f"precision seen {precision:.2f} on {n_tagged_seen} items: planned at its bound {p:.2f}")
        else:
            p = precision
        if missed is None:
            q = min(0.5, tagged * p / untagged) if untagged else 0.0
            notes.append("missed tags not seen yet: planned as if half the tags were missed")
        elif missed <= 0:
            q = _bound_towards_half(0.0, n_untagged_seen)
            notes.append(f"no missed tag among {n_untagged_seen} untagged items: planned at its bound {q:.3f}")
        else:
            q = missed
        if tagged == 0:
            notes.append("the model tags nothing: neither figure can be planned")
            plans.append(
                TagPlan(tag, len(population), 0, prevalence, precision, p, q, None, None, None, "; ".join(notes))
            )
            continue
        n, hw_p, hw_r = least_n(population, i, p, q, half_width, replications=replications)
        if n >= len(population):
            notes.append("only the whole population (a census) gives that half-width")
        plans.append(
            TagPlan(
                tag,
                len(population),
                tagged,
                prevalence,
                precision,
                p,
                q,
                n,
                hw_p,
                hw_r,
                "; ".join(notes) or "planned at figures seen",
            )
        )
    seen_icc = icc_planning
    note = "planned at the value given"
    if seen_icc is None:
        from dialogic.validation.meetings import option5_agreement

        e = option5_agreement(con)["rater_vs_rater"]
        seen_icc = e.value if e.value is not None and 0 <= e.value < 1 else 0.7
        note = "planned at the raters' ICC seen so far" if e.value is not None else "no ICC seen yet: planned at 0.7"
    return plans, MeetingPlan(seen_icc, raters, meetings_for_icc(seen_icc, raters, icc_half_width), note)
