"""Drawing a validation sample: a reproducible random sample of a study's own utterances,
stratified so that rare tags get enough items, with the weights that undo the stratification.

Design (recorded with each sample):

- Population: the utterances of meetings whose consent covers review, tagged by one tagger
  version (by default the one that tagged most of them), with the labels that count under the
  codebook's role rules.
- Predicted stratum: the rarest tag the model gives an utterance (by its share of the
  population), or ``none``. The sample is split as evenly as the strata allow across these five
  levels, so a tag on 2 % of utterances still gets about a fifth of the items.
- Within a predicted level, items go to each meeting × speaker role cell in proportion to its
  size (largest remainders); cells too small to get an item are pooled into one ``rest`` stratum of
  that level, so every utterance of the population can be drawn.
- Each stratum is a simple random sample without replacement; an item's weight is stratum size /
  items drawn from it. Estimates weighted this way are unbiased for the whole population.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np

from dialogic.errors import LookupFailed
from dialogic.store.validation import store_tag_sample
from dialogic.tagging.codebook import TAGS

NONE = "none"


@dataclass(frozen=True)
class SampleSummary:
    sample_id: str
    tagger_model_version: str
    population: int
    drawn: int
    by_predicted: dict[str, tuple[int, int]]  # predicted level -> (population, drawn)
    excluded: dict[str, int]  # why utterances were left out of the population -> how many


# one row per utterance: its id, meeting, role, current tagger version and the tags labelled on it
_POPULATION = """
with labelled as (
    select utterance_id, list(tag) as tags from utterance_tag_facts where label group by utterance_id
)
select f.utterance_id, f.meeting_id, f.role, f.tagger_model_version, coalesce(l.tags, []) as tags
from utterance_facts as f
inner join meetings as m on m.meeting_id = f.meeting_id
left join labelled as l on l.utterance_id = f.utterance_id
where m.consent_status = 'given' and list_contains(m.consent_scope, 'review')
  and ($meetings is null or list_contains($meetings, f.meeting_id))
order by f.meeting_id, f.position
"""


def read_population(con: duckdb.DuckDBPyConnection, meetings: list[str] | None) -> list[tuple]:
    """Every utterance that consent lets be sampled (of ``meetings``, or all), in order, as
    :func:`stratify` reads them: (utterance_id, meeting_id, role, tagger version, then one label
    per tag of ``TAGS``, in its order; the version is None while the utterance is untagged)."""
    return [
        (*r[:4], *(tag in r[4] for tag in TAGS)) for r in con.execute(_POPULATION, {"meetings": meetings}).fetchall()
    ]


def draw_sample(
    con: duckdb.DuckDBPyConnection,
    n: int,
    *,
    meetings: list[str] | None = None,
    seed: int = 0,
    tagger: str | None = None,
) -> SampleSummary:
    """Draw ``n`` utterances (see the module docstring) and store them as a new sample.

    Raises LookupFailed with the reason when there is nothing to sample or ``n`` is more than the
    population holds.
    """
    if n < 1:
        raise LookupFailed(f"--n must be at least 1, got {n}")
    rows = read_population(con, meetings)
    if meetings:
        known = {r[0] for r in con.execute("select meeting_id from meetings").fetchall()}
        missing = sorted(set(meetings) - known)
        if missing:
            raise LookupFailed(f"no meeting(s) {', '.join(missing)} in the database")
    tagged = [r for r in rows if r[3] is not None]
    excluded = {"not tagged": len(rows) - len(tagged)}
    if not tagged:
        raise LookupFailed(
            "nothing to sample: no tagged utterances in meetings whose consent covers review"
            + (f" among {', '.join(meetings)}" if meetings else "")
        )
    versions: dict[str, int] = {}
    for r in tagged:
        versions[r[3]] = versions.get(r[3], 0) + 1
    version = tagger or max(versions, key=lambda v: (versions[v], v))
    if version not in versions:
        raise LookupFailed(
            f"tagger {version!r} tagged none of these utterances; versions: {', '.join(sorted(versions))}"
        )
    population = [r for r in tagged if r[3] == version]
    excluded["tagged by another version"] = len(tagged) - len(population)
    if n > len(population):
        raise LookupFailed(
            f"--n {n} is more than the {len(population)} utterances that can be sampled "
            f"(consent covers review, tagged by {version})"
        )

    design = stratify(population, n)
    rng = np.random.default_rng(seed)
    chosen = []  # (row, level, stratum, stratum_size, stratum_sampled)
    for level, name, items, quota in design:
        k = min(quota, len(items))
        if k == 0:
            continue
        picks = rng.choice(len(items), size=k, replace=False)
        for p in sorted(picks):
            chosen.append((items[p], level, name, len(items), k))
    order = rng.permutation(len(chosen))

    sample_id = store_tag_sample(
        con,
        [
            dt.datetime.now(),
            seed,
            n,
            len(chosen),
            meetings,
            version,
            len(population),
            "strata: rarest predicted tag (even split) x meeting x role (proportional; small cells pooled per tag); "
            "simple random sampling in each stratum; weight = stratum size / items drawn",
        ],
        [
            [row[0], row[1], row[2], level, name, size, k, size / k, int(order[i])]
            for i, (row, level, name, size, k) in enumerate(chosen)
        ],
    )
    levels: dict[str, int] = {}
    for level, _, items, _ in design:
        levels[level] = levels.get(level, 0) + len(items)
    by_predicted = {level: (size, sum(1 for c in chosen if c[1] == level)) for level, size in levels.items()}
    return SampleSummary(
        sample_id, version, len(population), len(chosen), by_predicted, {k: v for k, v in excluded.items() if v}
    )


def stratify(population: list[tuple], n: int) -> list[tuple[str, str, list, int]]:
    """The design of :func:`draw_sample` for ``n`` items (see the module docstring), without
    drawing: (predicted level, stratum name, the stratum's rows, items to draw) per stratum, in
    drawing order. A row is (utterance_id, meeting_id, role, tagger version, then one label per
    tag of ``TAGS``). The coverage simulation in the tests calls this, so it checks the design
    that is used. Raises LookupFailed when ``n`` is smaller than the number of predicted levels."""
    prevalence = {tag: sum(bool(r[4 + i]) for r in population) for i, tag in enumerate(TAGS)}
    rarest_first = sorted(TAGS, key=lambda t: (prevalence[t], TAGS.index(t)))

    def predicted(row) -> str:
        labels = {tag for i, tag in enumerate(TAGS) if row[4 + i]}
        return next((t for t in rarest_first if t in labels), NONE)

    levels: dict[str, list] = {}
    for r in population:
        levels.setdefault(predicted(r), []).append(r)
    if n < len(levels):
        raise LookupFailed(
            f"--n {n} is too small: each of the {len(levels)} predicted strata ({', '.join(sorted(levels))}) needs an item"
        )
    per_level = _even_split(n, {level: len(items) for level, items in levels.items()})
    design = []
    for level in sorted(levels):
        cells: dict[tuple[str, str], list] = {}
        for r in levels[level]:
            cells.setdefault((r[1], r[2]), []).append(r)
        allocation = _proportional(per_level[level], {cell: len(items) for cell, items in cells.items()})
        strata: dict[str, list] = {}
        quota: dict[str, int] = {}
        for cell, items in sorted(cells.items()):
            name = f"{level}|{cell[0]}|{cell[1]}" if allocation[cell] else f"{level}|rest"
            strata.setdefault(name, []).extend(items)
            quota[name] = quota.get(name, 0) + allocation[cell]
        rest = f"{level}|rest"
        if rest in strata and quota[rest] == 0:
            # The pooled small cells need an item, or their utterances could never be drawn: take
            # one from the stratum with most items, or, when every stratum has one, pool the
            # smallest of them into the rest with its item.
            donor = max((s for s in quota if s != rest and quota[s] > 1), key=lambda s: quota[s], default=None)
            if donor is not None:
                quota[donor] -= 1
                quota[rest] = 1
            else:
                smallest = min((s for s in quota if s != rest and quota[s] == 1), key=lambda s: (len(strata[s]), s))
                strata[rest].extend(strata.pop(smallest))
                quota[rest] = quota.pop(smallest)
        for name, items in sorted(strata.items()):
            design.append((level, name, items, quota[name]))
    return design


def _even_split(n: int, sizes: dict[str, int]) -> dict[str, int]:
    """``n`` items over groups as evenly as their sizes allow (a group never gets more than it has)."""
    share = {g: 0 for g in sizes}
    left = n
    open_groups = sorted(g for g in sizes if sizes[g] > 0)
    while left > 0 and open_groups:
        each, extra = divmod(left, len(open_groups))
        for i, g in enumerate(open_groups):
            share[g] += each + (1 if i < extra else 0)
        left = sum(max(0, share[g] - sizes[g]) for g in open_groups)
        for g in open_groups:
            share[g] = min(share[g], sizes[g])
        open_groups = [g for g in open_groups if share[g] < sizes[g]]
    return share


def _proportional(
    n: int,
    sizes: dict,
) -> dict:
    """``n`` items over cells in proportion to their sizes, by largest remainders."""
    total = sum(sizes.values())
    if total == 0 or n == 0:
        return {c: 0 for c in sizes}
    exact = {c: n * s / total for c, s in sizes.items()}
    floors = {c: int(x) for c, x in exact.items()}
    left = n - sum(floors.values())
    for c in sorted(sizes, key=lambda c: (-(exact[c] - floors[c]), str(c)))[:left]:
        floors[c] += 1
    return floors
