"""Coverage of the validation report's 95 % intervals, by simulation.

A population shaped like a study (20,000 utterances in six meeting × role cells whose true tag
rate differs) is tagged by a model with recall 0.8 and specificity 0.95; the sample is drawn as
`dialogic validate sample` draws it: half from the model's tagged utterances, half from the
rest, each half spread over the cells in proportion to their size, simple random sampling in each
stratum, weight = stratum size / items drawn. For every sample size and prevalence of the issue,
the intervals must cover the population's own figure at least 93 % of the time, and none may be
zero-width.

Run as a script to print the table in docs/validation.md:
    .venv/bin/python tests/test_validation_coverage.py
"""

from __future__ import annotations

import numpy as np
import pytest

from dialogic.validation.intervals import figure_intervals

SIZES = (10, 30, 100, 300)
PREVALENCES = (0.02, 0.1, 0.3)
REPLICATIONS = 2000
POPULATION = 20_000
CELL_SHARES = np.array([0.30, 0.25, 0.15, 0.15, 0.10, 0.05])  # meeting × role cells
CELL_RATE = np.array([0.6, 1.4, 1.0, 0.5, 1.8, 1.2])  # a cell's tag rate relative to the mean
RECALL, SPECIFICITY = 0.8, 0.95


def _population(prevalence: float) -> list[dict]:
    """Strata (predicted level × cell): size and number truly positive."""
    strata = []
    sizes = np.round(CELL_SHARES * POPULATION).astype(int)
    for cell, size in enumerate(sizes):
        positives = int(round(size * min(1.0, prevalence * CELL_RATE[cell])))
        tp = int(round(positives * RECALL))
        fp = int(round((size - positives) * (1 - SPECIFICITY)))
        strata.append({"model": 1, "size": tp + fp, "positives": tp})
        strata.append({"model": 0, "size": size - tp - fp, "positives": positives - tp})
    return strata


def _allocate(n: int, strata: list[dict]) -> list[int]:
    """Half the items to each predicted level, proportional to size within a level (largest
    remainders), at least one item per stratum once a level has as many items as strata."""
    out = [0] * len(strata)
    for model, level_n in ((1, n - n // 2), (0, n // 2)):
        members = [i for i, s in enumerate(strata) if s["model"] == model]
        sizes = np.array([strata[i]["size"] for i in members], dtype=float)
        exact = level_n * sizes / sizes.sum()
        floors = np.floor(exact).astype(int)
        for j in np.argsort(-(exact - floors), kind="stable")[: level_n - floors.sum()]:
            floors[j] += 1
        for i, k in zip(members, floors, strict=True):
            out[i] = int(k)
    return out


def simulate(n: int, prevalence: float, replications: int = REPLICATIONS, seed: int = 0) -> dict[str, dict]:
    """Coverage, share of replications where the figure is defined, and the smallest width, of
    prevalence, precision, recall, specificity and F1."""
    rng = np.random.default_rng(seed)
    strata = _population(prevalence)
    alloc = _allocate(n, strata)
    used = [i for i, k in enumerate(alloc) if k > 0]
    model = np.concatenate([[strata[i]["model"]] * alloc[i] for i in used])
    weights = np.concatenate([[strata[i]["size"] / alloc[i]] * alloc[i] for i in used])
    codes = np.concatenate([[i] * alloc[i] for i in used])
    # Items of a stratum are exchangeable, so a sample is its number of positives per stratum.
    truth = np.zeros((replications, n))
    column = 0
    for i in used:
        s, k = strata[i], alloc[i]
        drawn = rng.hypergeometric(s["positives"], s["size"] - s["positives"], k, size=replications)
        truth[:, column : column + k] = np.arange(k)[None, :] < drawn[:, None]
        column += k
    m = np.broadcast_to(model, truth.shape).astype(float)

    pop = {key: sum(s[key] for s in strata) for key in ("size", "positives")}
    pop_tp = sum(s["positives"] for s in strata if s["model"])
    pop_fp = sum(s["size"] - s["positives"] for s in strata if s["model"])
    pop_fn = pop["positives"] - pop_tp
    pop_tn = pop["size"] - pop_tp - pop_fp - pop_fn
    figures = {
        "prevalence": pop["positives"] / pop["size"],
        "precision": pop_tp / (pop_tp + pop_fp),
        "recall": pop_tp / (pop_tp + pop_fn),
        "specificity": pop_tn / (pop_tn + pop_fp),
        "f1": 2 * pop_tp / (2 * pop_tp + pop_fp + pop_fn),
    }
    out = {}
    for name, true_value in figures.items():
        _, low, high = figure_intervals(name, m, truth, weights, codes)
        defined = ~np.isnan(low)
        covered = (low[defined] <= true_value + 1e-12) & (true_value - 1e-12 <= high[defined])
        out[name] = {
            "coverage": float(covered.mean()) if defined.any() else float("nan"),
            "defined": float(defined.mean()),
            "min_width": float((high - low)[defined].min()) if defined.any() else float("nan"),
        }
    return out


@pytest.mark.parametrize("prevalence", PREVALENCES)
@pytest.mark.parametrize("n", SIZES)
def test_intervals_cover_the_truth_at_least_93_percent_and_are_never_zero_width(n, prevalence):
    for name, result in simulate(n, prevalence).items():
        if result["defined"] < 0.05:  # e.g. recall at n = 10, prevalence 0.02: almost never defined
            continue
        assert result["coverage"] >= 0.93, (name, result)
        assert result["min_width"] > 0, (name, result)


def test_the_simulation_can_fail():
    """A naive Wald interval on the raw item count (the error the issue reports, in kind) must
    fall short at small n and low prevalence, or the test above proves nothing."""
    rng = np.random.default_rng(1)
    n, p, reps = 10, 0.02, REPLICATIONS
    x = rng.binomial(n, p, size=reps)
    phat = x / n
    half = 1.96 * np.sqrt(phat * (1 - phat) / n)
    assert ((phat - half <= p) & (p <= phat + half)).mean() < 0.93


def test_a_fully_observed_population_gives_its_own_figure():
    truth = np.array([1, 0, 0, 1])
    value, low, high = figure_intervals("prevalence", np.zeros(4), truth, np.ones(4), np.array([0, 0, 1, 1]))
    assert value[0] == low[0] == high[0] == 0.5


def test_zero_of_a_handful_gives_roughly_zero_to_a_half():
    """The issue's case: 12 items, no positives; an exact interval is about [0, 0.5]."""
    weights = np.array([5.0] * 6 + [40.0] * 6)
    codes = np.array([0] * 6 + [1] * 6)
    value, low, high = figure_intervals("prevalence", codes == 0, np.zeros(12), weights, codes)
    assert value[0] == 0 and low[0] == 0
    assert 0.25 < high[0] < 0.7


if __name__ == "__main__":
    names = ("prevalence", "precision", "recall", "specificity", "f1")
    print("| n | prevalence | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for n in SIZES:
        for prevalence in PREVALENCES:
            result = simulate(n, prevalence)
            cells = ["—" if result[k]["defined"] < 0.05 else f"{result[k]['coverage']:.3f}" for k in names]
            print(f"| {n} | {prevalence} | " + " | ".join(cells) + " |")
