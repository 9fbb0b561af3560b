"""Coverage of the validation report's 95 % intervals, by simulation, under the design
`dialogic validate sample` uses.

A population shaped like a study: 20,000 utterances in six meeting × role cells whose true rate
of the tag under study differs (up to 3.6×), tagged with all four tags; the tag under study by a
model with recall 0.8 and specificity 0.95, the other three at 2 %, 5 % and 30 % of utterances.
The sample's strata and allocation come from the sampler itself
(:func:`dialogic.validation.sample.stratify`: rarest predicted tag split evenly over five levels,
meeting × role cells proportional within a level, small cells pooled), with simple random
sampling in each stratum and weight = stratum size / items drawn. The tag under study is in turn
the rarest tag the model gives (its predicted level is its own) and the commonest (most of its
tagged utterances sit in other tags' levels). For every sample size and prevalence of the issue,
the intervals must cover the population's own figure at least 93 % of the time, and none may be
zero-width.

Run as a script to print the tables in docs/validation.md:
    python tests/test_validation_coverage.py
"""

from __future__ import annotations

import numpy as np
import pytest

from dialogic.tagging.codebook import TAGS
from dialogic.validation.intervals import figure_intervals
from dialogic.validation.reliability import (
    alpha_estimate,
    icc_a1,
    krippendorff_alpha_nominal,
)
from dialogic.validation.sample import stratify
from dialogic.validation.stats import (
    binary_agreement,
    estimate_agreement,
    kappa_rescaled_interval,
)

SIZES = (10, 30, 100, 300)
PREVALENCES = (0.02, 0.1, 0.3)
REPLICATIONS = 2000
POPULATION = 20_000
CELL_SHARES = np.array([0.30, 0.25, 0.15, 0.15, 0.10, 0.05])  # meeting × role cells
CELL_RATE = np.array([0.6, 1.4, 1.0, 0.5, 1.8, 1.2])  # a cell's tag rate relative to the mean
RECALL, SPECIFICITY = 0.8, 0.95
OTHER_RATES = (0.02, 0.05, 0.30)  # the model's rate of the three other tags
FIGURES = ("prevalence", "precision", "recall", "specificity", "f1")


def population(prevalence: float, rarest: bool, seed: int = 0) -> tuple[list[tuple], np.ndarray, np.ndarray]:
    """Rows as the sampler reads them, and the tag under study's model label and truth per row.

    ``rarest``: the tag under study is the first of ``TAGS`` and the others are more common, so
    it is the rarest predicted tag; otherwise it is the last and the others are rarer."""
    rng = np.random.default_rng(seed)
    cells = rng.choice(len(CELL_SHARES), size=POPULATION, p=CELL_SHARES)
    truth = rng.random(POPULATION) < np.minimum(1.0, prevalence * CELL_RATE[cells])
    model = np.where(truth, rng.random(POPULATION) < RECALL, rng.random(POPULATION) < 1 - SPECIFICITY)
    target = 0 if rarest else len(TAGS) - 1
    others = [j for j in range(len(TAGS)) if j != target]
    rates = sorted(OTHER_RATES, reverse=rarest)  # rarest: the others commoner than the target
    if rarest:
        rates = [max(r, model.mean() * 1.5) for r in rates]
    labels = np.zeros((POPULATION, len(TAGS)), dtype=bool)
    labels[:, target] = model
    for j, rate in zip(others, rates, strict=True):
        labels[:, j] = rng.random(POPULATION) < rate
    rows = [(i, f"m{cells[i] // 2}", f"role{cells[i] % 2}", "v", *labels[i].tolist()) for i in range(POPULATION)]
    return rows, model.astype(int), truth.astype(int)


def draw(n: int, prevalence: float, rarest: bool, replications: int, seed: int):
    """``replications`` samples of ``n`` drawn with the sampler's own strata and allocation:
    (model, truth) of shape (replications, items), weights, stratum codes, and the population's
    own figures."""
    rows, model, truth = population(prevalence, rarest)
    rng = np.random.default_rng(seed)
    m_cols, t_cols, weights, codes = [], [], [], []
    for h, (_, _, items, quota) in enumerate(stratify(rows, n)):
        k = min(quota, len(items))
        if k == 0:
            continue
        ids = np.array([r[0] for r in items])
        # Items of a stratum are exchangeable given (model, truth): a draw is its count of each.
        kinds = [(0, 0), (0, 1), (1, 0), (1, 1)]
        counts = [int(((model[ids] == a) & (truth[ids] == b)).sum()) for a, b in kinds]
        drawn = rng.multivariate_hypergeometric(counts, k, size=replications)
        edges = np.cumsum(drawn, axis=1)
        position = np.arange(k)[None, :]
        kind = (position[:, :, None] >= edges[:, None, :]).sum(axis=2)  # (replications, k) in 0..3
        m_cols.append(kind // 2)
        t_cols.append(kind % 2)
        weights += [len(items) / k] * k
        codes += [h] * k
    tp = int((model & truth).sum())
    fp = int((model & (1 - truth)).sum())
    fn = int(((1 - model) & truth).sum())
    tn = POPULATION - tp - fp - fn
    figures = {
        "prevalence": truth.mean(),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "specificity": tn / (tn + fp),
        "f1": 2 * tp / (2 * tp + fp + fn),
    }
    m = np.concatenate(m_cols, axis=1).astype(float)
    t = np.concatenate(t_cols, axis=1).astype(float)
    return m, t, np.array(weights), np.array(codes), figures


def simulate(
    n: int, prevalence: float, rarest: bool = True, replications: int = REPLICATIONS, seed: int = 0
) -> dict[str, dict]:
    """Coverage, share of replications where the figure is defined, and the smallest width, of
    prevalence, precision, recall, specificity and F1."""
    m, t, weights, codes, figures = draw(n, prevalence, rarest, replications, seed)
    out = {}
    for name, true_value in figures.items():
        _, low, high = figure_intervals(name, m, t, weights, codes)
        defined = ~np.isnan(low)
        covered = (low[defined] <= true_value + 1e-12) & (true_value - 1e-12 <= high[defined])
        out[name] = {
            "coverage": float(covered.mean()) if defined.any() else float("nan"),
            "defined": float(defined.mean()),
            "min_width": float((high - low)[defined].min()) if defined.any() else float("nan"),
        }
    return out


@pytest.mark.parametrize("rarest", (True, False), ids=("rarest-tag", "commonest-tag"))
@pytest.mark.parametrize("prevalence", PREVALENCES)
@pytest.mark.parametrize("n", SIZES)
def test_intervals_cover_the_truth_at_least_93_percent_and_are_never_zero_width(n, prevalence, rarest):
    for name, result in simulate(n, prevalence, rarest).items():
        if result["defined"] < 0.05:  # e.g. recall at n = 10, prevalence 0.02: almost never defined
            continue
        assert result["coverage"] >= 0.93, (name, result)
        assert result["min_width"] > 0, (name, result)


def test_the_simulation_can_fail():
    """The same simulation must catch an interval that is too narrow, or the coverage test
    proves nothing: the intervals shrunk to a quarter of their width fall short."""
    m, t, weights, codes, figures = draw(300, 0.1, True, 500, seed=3)
    value, low, high = figure_intervals("precision", m, t, weights, codes)
    low, high = value - (value - low) / 4, value + (high - value) / 4
    true_value = figures["precision"]
    assert ((low <= true_value) & (true_value <= high)).mean() < 0.93


def test_a_fully_observed_population_gives_its_own_figure():
    truth = np.array([1, 0, 0, 1])
    strata = np.array([0, 0, 1, 1])
    value, low, high = figure_intervals("prevalence", np.zeros(4), truth, np.ones(4), strata, np.ones(4))
    assert value[0] == low[0] == high[0] == 0.5
    # the caller can say the design is not a census even if these strata were read whole
    _, low, high = figure_intervals("prevalence", np.zeros(4), truth, np.ones(4), strata, np.ones(4), census=False)
    assert low[0] < 0.5 < high[0]


def test_unit_weights_without_fractions_are_never_taken_for_a_census():
    """Weight 1 says nothing about how much of a stratum was observed: no pinning."""
    truth = np.array([1, 0, 0, 1, 0, 0])
    strata = np.array([0, 0, 0, 1, 1, 1])
    for name in ("prevalence", "precision", "recall", "specificity", "f1"):
        value, low, high = figure_intervals(name, truth, truth, np.ones(6), strata)
        assert low[0] < high[0], name


def test_zero_of_a_handful_gives_roughly_zero_to_a_half():
    """The issue's case: 12 items, no positives; an exact interval is about [0, 0.5]."""
    weights = np.array([5.0] * 6 + [40.0] * 6)
    codes = np.array([0] * 6 + [1] * 6)
    value, low, high = figure_intervals("prevalence", codes == 0, np.zeros(12), weights, codes)
    assert value[0] == 0 and low[0] == 0
    assert 0.25 < high[0] < 0.7


if __name__ == "__main__":
    for rarest in (True, False):
        print("rarest tag" if rarest else "commonest tag")
        print("| n | prevalence | " + " | ".join(FIGURES) + " |")
        print("|---|---|" + "---|" * len(FIGURES))
        for n in SIZES:
            for prevalence in PREVALENCES:
                result = simulate(n, prevalence, rarest)
                cells = ["—" if result[k]["defined"] < 0.05 else f"{result[k]['coverage']:.3f}" for k in FIGURES]
                print(f"| {n} | {prevalence} | " + " | ".join(cells) + " |", flush=True)


def simulate_kappa(
    n: int, prevalence: float, rarest: bool, replications: int, n_resamples: int, seed: int = 0, bootstrap_only=False
) -> dict[str, float]:
    """Coverage of κ (model vs truth) as the report computes it (:func:`estimate_agreement`:
    the hull of Rao & Wu's rescaling bootstrap and the Kish-size fallback), per replication;
    ``bootstrap_only``: the rescaling bootstrap's percentile interval alone."""
    _, model, truth = population(prevalence, rarest)
    true_kappa = binary_agreement(model, truth, None)["kappa"]
    m, t, weights, codes, _ = draw(n, prevalence, rarest, replications, seed)
    strata = codes.astype(str)
    fraction = 1 / weights  # items drawn / stratum size
    covered, widths = [], []
    for r in range(replications):
        if bootstrap_only:
            low, high = kappa_rescaled_interval(m[r], t[r], weights, strata, fraction, n_resamples=n_resamples, seed=r)
        else:
            e = estimate_agreement(
                m[r], t[r], weights, strata, seed=r, n_resamples=n_resamples, stratum_fraction=fraction
            )["kappa"]
            low, high = e.low, e.high
        if low is None:
            continue
        covered.append(low <= true_kappa <= high)
        widths.append(high - low)
    return {
        "coverage": float(np.mean(covered)) if covered else float("nan"),
        "defined": len(covered) / replications,
        "min_width": float(np.min(widths)) if widths else float("nan"),
        "kappa": true_kappa,
    }


KAPPA_CELLS = ((100, 0.3, True), (300, 0.1, False))


@pytest.mark.parametrize(("n", "prevalence", "rarest"), KAPPA_CELLS)
def test_kappa_intervals_cover_the_truth_at_least_93_percent(n, prevalence, rarest):
    """300 samples a cell (a coverage of 0.95 has a standard error of 0.013 there); the report's
    default is 2,000 resamples, 400 keep the test short."""
    result = simulate_kappa(n, prevalence, rarest, replications=300, n_resamples=400, seed=1)
    assert result["defined"] == 1.0
    assert result["coverage"] >= 0.93, result
    assert result["min_width"] > 0, result


def test_the_kappa_simulation_can_fail():
    """The rescaling bootstrap alone falls short at n = 100, prevalence 0.3 (why the report takes
    the hull with the fallback): the simulation above can see under-coverage."""
    result = simulate_kappa(100, 0.3, True, replications=300, n_resamples=400, seed=1, bootstrap_only=True)
    assert result["coverage"] < 0.93, result


ALPHA_CELLS = ((30, 0.3), (100, 0.1), (300, 0.3))


def simulate_alpha(n: int, prevalence: float, replications: int, n_resamples: int, seed: int) -> dict[str, float]:
    """Coverage of :func:`alpha_estimate`'s interval. α is unweighted (it describes the items
    rated), so the samples are simple random ones: two raters each right 90 % of the time about
    a population of 20,000 items, the true α that of the whole population."""
    rng = np.random.default_rng(seed)
    truth = rng.random(POPULATION_ALPHA) < prevalence
    a = np.where(rng.random(POPULATION_ALPHA) < 0.9, truth, ~truth).astype(float)
    b = np.where(rng.random(POPULATION_ALPHA) < 0.9, truth, ~truth).astype(float)
    true_alpha = krippendorff_alpha_nominal(np.vstack([a, b]))
    covered, widths = [], []
    for r in range(replications):
        idx = rng.choice(POPULATION_ALPHA, n, replace=False)
        e = alpha_estimate(np.vstack([a[idx], b[idx]]), seed=r, n_resamples=n_resamples)
        if e.low is None:
            continue
        covered.append(e.low <= true_alpha <= e.high)
        widths.append(e.high - e.low)
    return {"coverage": float(np.mean(covered)), "defined": len(covered) / replications, "min_width": min(widths)}


POPULATION_ALPHA = 20_000


@pytest.mark.parametrize(("n", "prevalence"), ALPHA_CELLS)
def test_alpha_intervals_cover_the_truth_at_least_93_percent(n, prevalence):
    """300 samples a cell, 400 resamples each (the report's default is 2,000)."""
    result = simulate_alpha(n, prevalence, replications=300, n_resamples=400, seed=n)
    assert result["defined"] == 1.0
    assert result["coverage"] >= 0.93, result
    assert result["min_width"] > 0, result


ICC_CELLS = ((10, 1.0, 0.2, 0.5), (10, 1.0, 0.0, 1.0), (30, 1.0, 0.2, 0.5), (30, 1.0, 0.0, 1.0))


def simulate_icc(meetings: int, sd_meeting: float, sd_rater: float, sd_error: float, replications: int, seed: int):
    """Coverage of :func:`icc_a1`'s interval: two raters score ``meetings`` meetings, score =
    meeting effect + rater effect + error (normal), true ICC(A,1) = σ²_meeting / (σ² total)."""
    rng = np.random.default_rng(seed)
    true = sd_meeting**2 / (sd_meeting**2 + sd_rater**2 + sd_error**2)
    covered = []
    for _ in range(replications):
        scores = (
            rng.normal(0, sd_meeting, (meetings, 1))
            + rng.normal(0, sd_rater, (1, 2))
            + rng.normal(0, sd_error, (meetings, 2))
        )
        e = icc_a1(scores)
        covered.append(e.low is not None and e.low <= true <= e.high)
    return float(np.mean(covered)), true


@pytest.mark.parametrize(("meetings", "sd_meeting", "sd_rater", "sd_error"), ICC_CELLS)
def test_icc_intervals_cover_the_truth_at_least_93_percent(meetings, sd_meeting, sd_rater, sd_error):
    coverage, _ = simulate_icc(meetings, sd_meeting, sd_rater, sd_error, replications=2000, seed=meetings)
    assert coverage >= 0.93, coverage
