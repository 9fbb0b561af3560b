"""How many items to rate before the intervals are as narrow as a study needs.

Per tag, from the census of the model's tags and what the raters have decided so far:

* **precision** rests on the tag's predicted stratum (utterances the model tags): a simple random
  sample of n₁ items there gives a half-width of about z·√(P(1 − P) / n₁), so
  n₁ = z² P(1 − P) / h².
* **recall** = T / (T + F), with T the tagged utterances that are true (estimated in the tagged
  stratum) and F the missed ones (estimated in the untagged stratum, N₀ utterances, a share q of
  them missed). By the delta method Var(R) ≈ (F² Var T + T² Var F) / (T + F)⁴ with
  Var F = N₀² q(1 − q) / n₀; n₀ is the smallest number of untagged items that brings z·√Var(R)
  down to h with n₁ as above. Missed tags are rare and heavily weighted, so n₀ is usually the
  larger: that is the stratum to oversample.
* **whole meetings for the ICC**: Bonett's (2002, *Statistics in Medicine* 21: 1331–1335)
  n = 8 z² (1 − ρ)² (1 + (k − 1) ρ)² / (k (k − 1) w²) + 1 for an interval of width w = 2h with k
  raters at a planning value ρ.

Planning values are the figures seen so far (weighted consensus prevalence, precision); where none
can be seen yet the worst case P = 0.5 is used and the plan says so. A plan is a guide: the
intervals the report gives (Korn–Graubard, conservative) are somewhat wider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
from scipy import stats as _sps

from dialogic.tagging.codebook import TAGS


@dataclass(frozen=True)
class TagPlan:
    tag: str
    population: int  # utterances of the tagger version in consented meetings
    tagged: int  # of them tagged by the model
    prevalence_seen: float | None  # weighted consensus prevalence so far (None: nothing decided)
    precision_seen: float | None
    items_tagged_stratum: int  # n₁: items to rate among the model's tagged utterances
    items_untagged_stratum: int | None  # n₀: among the untagged ones (None: recall not plannable)
    note: str


@dataclass(frozen=True)
class MeetingPlan:
    icc_planning_value: float
    raters: int
    meetings: int
    note: str


def items_for_precision(precision: float, half_width: float, level: float = 0.95) -> int:
    z = _sps.norm.isf((1 - level) / 2)
    return math.ceil(z**2 * precision * (1 - precision) / half_width**2)


def items_for_recall(
    tagged: int, untagged: int, precision: float, missed: float, n_tagged_items: int, half_width: float, level=0.95
) -> int | None:
    """n₀ for the recall half-width (module docstring); None when n₁ alone already leaves it wider."""
    z = _sps.norm.isf((1 - level) / 2)
    t = tagged * precision
    f = untagged * missed
    if t <= 0:
        return None
    var_t = tagged**2 * precision * (1 - precision) / max(n_tagged_items, 1)
    var_f_max = ((half_width / z) ** 2 * (t + f) ** 4 - f**2 * var_t) / t**2
    if var_f_max <= 0:
        return None
    q = min(max(missed, 1e-6), 1 - 1e-6)
    return min(untagged, math.ceil(untagged**2 * q * (1 - q) / var_f_max))


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
) -> tuple[list[TagPlan], MeetingPlan]:
    """The plan for every tag and for the meeting-level ICC (see the module docstring)."""
    version = (
        tagger
        or con.execute(
            "select tagger_model_version from utterance_facts where tagger_model_version is not null "
            "group by all order by count(*) desc, 1 desc limit 1"
        ).fetchone()
    )
    version = version if isinstance(version, str) or version is None else version[0]
    plans = []
    for tag in TAGS:
        population, tagged = con.execute(
            f"""
            select count(*), count(*) filter (where f.{tag}_label)
            from utterance_facts as f inner join meetings as m using (meeting_id)
            where f.tagger_model_version = ? and m.consent_status = 'given' and list_contains(m.consent_scope, 'review')
            """,
            [version],
        ).fetchone()
        seen = con.execute(
            """
            select sum(weight * consensus::int) / sum(weight),
                   sum(weight * consensus::int) filter (where model_label) / sum(weight) filter (where model_label)
            from validation_item_truth
            where tag = ? and consensus is not null
              and sample_id in (select sample_id from validation_samples where tagger_model_version = ?)
            """,
            [tag, version],
        ).fetchone()
        prevalence, precision = seen
        notes = []
        p = precision if precision is not None and 0 < precision < 1 else 0.5
        if precision is None:
            notes.append("precision not seen yet: planned at the worst case 0.5")
        n1 = min(tagged, items_for_precision(p, half_width)) if tagged else 0
        untagged = population - tagged
        if prevalence is None:
            notes.append("prevalence not seen yet: recall planned as if half the tags were missed")
            missed_total = tagged * p
        else:
            missed_total = max(prevalence * population - tagged * p, 0.5)
        q = missed_total / untagged if untagged else 0.0
        n0 = items_for_recall(tagged, untagged, p, q, n1, half_width) if tagged else None
        if tagged == 0:
            notes.append("the model tags nothing: neither figure can be planned")
        elif n0 is None:
            notes.append("the tagged stratum alone leaves recall wider: rate more tagged items")
        plans.append(
            TagPlan(
                tag, population, tagged, prevalence, precision, n1, n0, "; ".join(notes) or "planned at figures seen"
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
