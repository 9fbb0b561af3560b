"""The validation report's statistics, checked against hand arithmetic and reference libraries."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from scipy import stats as sps
from sklearn.metrics import cohen_kappa_score, f1_score

from dialogic.validation.reliability import (
    alpha_estimate,
    icc_a1,
    krippendorff_alpha_nominal,
    rater_kappa,
)
from dialogic.validation.stats import (
    FIGURES,
    Estimate,
    binary_agreement,
    bootstrap,
    cohen_kappa,
    corrected_count,
    corrected_prevalence,
    corrected_prevalence_estimate,
    estimate_agreement,
)

# A stratified sample: the 4 predicted positives were sampled at probability 1 (weight 1), the 6
# predicted negatives at 1/4 (weight 4).
#   model=1 truth=1: 3 items × 1 → TP = 3
#   model=1 truth=0: 1 item  × 1 → FP = 1
#   model=0 truth=1: 1 item  × 4 → FN = 4
#   model=0 truth=0: 5 items × 4 → TN = 20          total W = 28
# prevalence = (TP+FN)/W = 7/28 = 0.25;  precision = 3/4;  recall = 3/7;  specificity = 20/21
# F1 = 2·3 / (2·3 + 1 + 4) = 6/11
# κ: p_o = (3+20)/28 = 644/784;  p_e = (4·7 + 24·21)/28² = 532/784
#    κ = (644 − 532) / (784 − 532) = 112/252 = 4/9
MODEL = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
TRUTH = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0])
WEIGHTS = np.array([1, 1, 1, 1, 4, 4, 4, 4, 4, 4], dtype=float)
STRATA = MODEL.copy()

SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def test_binary_agreement_on_the_hand_computed_weighted_table():
    figures = binary_agreement(MODEL, TRUTH, WEIGHTS)
    assert figures == pytest.approx(
        {
            "prevalence": 0.25,
            "precision": 0.75,
            "recall": 3 / 7,
            "specificity": 20 / 21,
            "f1": 6 / 11,
            "kappa": 4 / 9,
        }
    )


def test_weighted_figures_equal_the_unweighted_ones_on_the_expanded_sample():
    rng = np.random.default_rng(3)
    model = rng.integers(0, 2, 40)
    truth = np.where(rng.random(40) < 0.8, model, 1 - model)
    weights = rng.integers(1, 5, 40)
    expanded_m, expanded_t = np.repeat(model, weights), np.repeat(truth, weights)
    weighted = binary_agreement(model, truth, weights.astype(float))
    assert weighted["kappa"] == pytest.approx(cohen_kappa_score(expanded_t, expanded_m))
    assert weighted["f1"] == pytest.approx(f1_score(expanded_t, expanded_m))
    assert weighted == pytest.approx(binary_agreement(expanded_m, expanded_t, None))


def test_undefined_figures_are_none():
    nothing_predicted = binary_agreement(np.zeros(4), np.array([1, 0, 0, 1]), None)
    assert nothing_predicted["precision"] is None
    assert nothing_predicted["recall"] == 0.0 and nothing_predicted["f1"] == 0.0
    no_positives = binary_agreement(np.array([1, 0, 0, 0]), np.zeros(4), None)
    assert no_positives["recall"] is None and no_positives["f1"] is None
    assert no_positives["specificity"] == 0.75
    all_same = binary_agreement(np.ones(3), np.ones(3), None)
    assert all_same["kappa"] is None and all_same["specificity"] is None
    assert all(value is None for value in binary_agreement(np.array([]), np.array([]), None).values())


def test_estimate_agreement_gives_the_point_figures_inside_their_intervals():
    estimates = estimate_agreement(MODEL, TRUTH, WEIGHTS, STRATA, seed=1, n_resamples=2000)
    point = binary_agreement(MODEL, TRUTH, WEIGHTS)
    assert set(estimates) == set(FIGURES)
    for name, est in estimates.items():
        assert est.value == pytest.approx(point[name])
        assert est.n == 10 and est.reason is None
        assert est.low <= est.value <= est.high
        assert est.low < est.high, name  # ten items of a larger population: never the point itself
    assert estimates == estimate_agreement(MODEL, TRUTH, WEIGHTS, STRATA, seed=1, n_resamples=2000)


def test_estimate_agreement_explains_undefined_figures():
    no_positives = estimate_agreement(np.array([1, 0, 0, 0]), np.zeros(4), None, None, n_resamples=500)
    assert no_positives["recall"] == Estimate(None, None, None, 4, "no positives in the sample")
    assert no_positives["f1"].reason == "no positives in the sample"
    assert no_positives["precision"].value == 0.0
    nothing_predicted = estimate_agreement(np.zeros(4), np.array([1, 0, 0, 1]), None, None, n_resamples=500)
    assert nothing_predicted["precision"] == Estimate(None, None, None, 4, "no predicted positives in the sample")
    empty = estimate_agreement(np.array([]), np.array([]), np.array([]), np.array([]))
    assert all(est == Estimate(None, None, None, 0, "no items") for est in empty.values())
    single = estimate_agreement(np.array([1]), np.array([1]), None, None)
    assert single["precision"] == Estimate(1.0, None, None, 1, "fewer than 2 items")


def test_bootstrap_of_the_mean_agrees_with_scipy_and_is_reproducible():
    # Standard error ≈ 0.14: a 90 % interval would sit ≈ 0.045 inside the 95 % one on each side,
    # while two 4000-resample percentile intervals differ by ≈ 0.01.
    x = np.random.default_rng(7).normal(size=50)
    ours = bootstrap(lambda v, w: float(v.mean()), (x,), None, None, n_resamples=4000, seed=11)
    ref = sps.bootstrap(
        (x,), np.mean, method="percentile", vectorized=False, n_resamples=4000, rng=np.random.default_rng(12)
    ).confidence_interval
    assert ours == pytest.approx((ref.low, ref.high), abs=0.02)
    assert ours[1] - ours[0] > 0.4  # a real interval, not a point
    assert ours == bootstrap(lambda v, w: float(v.mean()), (x,), None, None, n_resamples=4000, seed=11)
    assert ours != bootstrap(lambda v, w: float(v.mean()), (x,), None, None, n_resamples=4000, seed=12)


def test_bootstrap_of_f1_agrees_with_scipy_paired():
    rng = np.random.default_rng(5)
    truth = (rng.random(200) < 0.3).astype(int)
    model = np.where(rng.random(200) < 0.8, truth, 1 - truth)
    ours = bootstrap(
        lambda m, t, w: binary_agreement(m, t, w)["f1"], (model, truth), None, None, n_resamples=4000, seed=3
    )
    ref = sps.bootstrap(
        (model, truth),
        lambda m, t: 2 * np.sum(m * t) / (np.sum(m) + np.sum(t)),  # 2TP / (2TP + FP + FN)
        paired=True,
        vectorized=False,
        method="percentile",
        n_resamples=4000,
        rng=np.random.default_rng(4),
    ).confidence_interval
    assert ours == pytest.approx((ref.low, ref.high), abs=0.02)
    assert binary_agreement(model, truth, None)["f1"] == pytest.approx(f1_score(truth, model))


def test_bootstrap_resamples_within_strata_and_carries_weights():
    strata = np.array(["rare"] * 3 + ["common"] * 47)
    ids = np.arange(50)
    weights = np.where(strata == "rare", 1.0, 9.0) + ids / 100  # each item's own weight
    seen = []

    def record(resampled_ids, resampled_strata, resampled_weights):
        seen.append(
            (
                int((resampled_strata == "rare").sum()),
                bool((strata[resampled_ids] == resampled_strata).all()),
                bool(np.allclose(weights[resampled_ids], resampled_weights)),
            )
        )
        return 0.0

    bootstrap(record, (ids, strata), weights, strata, n_resamples=300, seed=0)
    assert len(seen) == 300
    assert all(seen_item == (3, True, True) for seen_item in seen)


def test_stratified_bootstrap_sees_no_variance_that_the_strata_fix():
    # Truth is constant within each stratum, so every stratified resample has the same weighted
    # prevalence; an unstratified bootstrap would vary the mix.
    truth = np.array([1] * 5 + [0] * 45)
    strata = truth.copy()
    weights = np.where(truth == 1, 1.0, 3.0)

    def prevalence(t, w):
        return binary_agreement(t, t, w)["prevalence"]

    low, high = bootstrap(prevalence, (truth,), weights, strata, n_resamples=500, seed=0)
    assert low == pytest.approx(high) == pytest.approx(5 / 140)
    low, high = bootstrap(prevalence, (truth,), weights, None, n_resamples=500, seed=0)
    assert high - low > 0.02


def test_bootstrap_gives_none_when_most_resamples_are_undefined():
    ids = np.arange(20)
    # Item 0 is drawn at least once in 1 − 0.95²⁰ ≈ 64 % of resamples, twice or more in ≈ 26 %.
    at_least_once = bootstrap(lambda i, w: 1.0 if (i == 0).sum() >= 1 else None, (ids,), None, None, n_resamples=500)
    assert at_least_once == (1.0, 1.0)
    twice = bootstrap(lambda i, w: 1.0 if (i == 0).sum() >= 2 else float("nan"), (ids,), None, None, n_resamples=500)
    assert twice == (None, None)
    assert bootstrap(lambda t, w: 0.0, (np.array([]),), None, None) == (None, None)


def test_cohen_kappa_matches_scikit_learn():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, 60)
    b = np.where(rng.random(60) < 0.7, a, 1 - a)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    w = rng.random(60) + 0.5
    assert cohen_kappa(a, b, w) == pytest.approx(cohen_kappa_score(a, b, sample_weight=w))
    three = rng.integers(0, 3, 60)
    assert cohen_kappa(three, b) == pytest.approx(cohen_kappa_score(three, b))
    assert cohen_kappa(np.ones(5), np.ones(5)) is None


def test_rater_kappa_with_interval_and_its_undefined_cases():
    rng = np.random.default_rng(4)
    a = rng.integers(0, 2, 80).astype(float)
    b = np.where(rng.random(80) < 0.85, a, 1 - a)
    b[:5] = np.nan  # not answered by the second rater
    est = rater_kappa(a, b, None, None, seed=0, n_resamples=1000)
    assert est.value == pytest.approx(cohen_kappa_score(a[5:], b[5:]))
    assert est.n == 75 and est.low < est.value < est.high and est.reason is None
    assert rater_kappa(a, None, None, None) == Estimate(None, None, None, 0, "one rater only")
    assert rater_kappa(a, np.full(80, np.nan), None, None).reason == "one rater only"
    assert rater_kappa(np.array([1.0]), np.array([0.0]), None, None).reason == "fewer than 2 items"
    assert rater_kappa(np.ones(6), np.ones(6), None, None).reason == "no variation: every answer is the same"


def test_krippendorff_alpha_matches_the_package_with_missing_values():
    # The krippendorff package's own example (nominal α = 0.691).
    data = np.array(
        [
            [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
            [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
            [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
        ]
    )
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(data) == pytest.approx(expected)
    assert expected == pytest.approx(0.691, abs=0.001)

    rng = np.random.default_rng(9)
    truth = rng.integers(0, 2, 50)
    binary = np.array([np.where(rng.random(50) < 0.8, truth, 1 - truth) for _ in range(3)], dtype=float)
    binary[rng.random(binary.shape) < 0.3] = np.nan
    assert krippendorff_alpha_nominal(binary) == pytest.approx(
        krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal")
    )


def test_alpha_estimate_and_its_undefined_cases():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 60)
    data = np.array([np.where(rng.random(60) < 0.9, truth, 1 - truth) for _ in range(2)], dtype=float)
    est = alpha_estimate(data, seed=0, n_resamples=1000)
    assert est.value == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert est.n == 60 and est.low < est.value < est.high
    assert alpha_estimate(data[:1]) == Estimate(None, None, None, 0, "one rater only")
    one_rater_answered = data.copy()
    one_rater_answered[1] = np.nan
    assert alpha_estimate(one_rater_answered).reason == "one rater only"
    assert krippendorff_alpha_nominal(data[:1]) is None
    assert alpha_estimate(data[:, :1]).reason == "fewer than 2 items"
    assert alpha_estimate(np.ones((2, 5))).reason == "no variation: every answer is the same"


def test_rogan_gladen_on_a_hand_example():
    # (0.30 + 0.90 − 1) / (0.80 + 0.90 − 1) = 0.20 / 0.70 = 0.2857
    assert corrected_prevalence(0.30, 0.80, 0.90) == pytest.approx(0.2857, abs=1e-4)
    assert corrected_count(1000, 300, 0.80, 0.90) == pytest.approx(285.714, abs=1e-3)
    assert corrected_prevalence(0.05, 0.80, 0.90) == 0.0  # (0.05 − 0.10)/0.70 < 0, clipped
    assert corrected_prevalence(0.30, 0.50, 0.50) is None  # no better than chance
    assert corrected_prevalence(0.30, 0.40, 0.50) is None
    assert corrected_count(0, 0, 0.8, 0.9) is None


def test_corrected_prevalence_estimate():
    # Sensitivity 3/7 and specificity 20/21 from the hand example; observed rate 0.30:
    # (0.30 + 20/21 − 1) / (3/7 + 20/21 − 1) = (0.30 − 1/21) / (8/21) = 0.6625
    est = corrected_prevalence_estimate(1000, 300, MODEL, TRUTH, WEIGHTS, STRATA, seed=0, n_resamples=1000)
    assert est.value == pytest.approx(0.6625)
    assert est.low <= est.value <= est.high and est.n == 10
    no_positives = corrected_prevalence_estimate(100, 10, MODEL, np.zeros(10), WEIGHTS, STRATA)
    assert no_positives == Estimate(None, None, None, 10, "no positives in the sample")
    chance = corrected_prevalence_estimate(100, 10, np.array([1, 0, 1, 0]), np.array([1, 1, 0, 0]), None, None)
    assert chance.value is None and "no better than chance" in chance.reason
    assert corrected_prevalence_estimate(0, 0, MODEL, TRUTH, WEIGHTS, STRATA).reason == "no utterances"


def test_corrected_counts_never_collapse_unless_the_population_is_read_whole():
    """The review's case: 12 items in perfect agreement read 0.20 [0.20, 0.20] by the bootstrap."""
    model = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    strata = np.array(["a"] * 3 + ["b"] * 9)
    weights = np.array([2.0] * 3 + [10.0] * 9)
    est = corrected_prevalence_estimate(1000, 200, model, model, weights, strata)
    assert est.value == pytest.approx(0.2) and est.low < 0.2 < est.high
    # on 5 items sensitivity + specificity may still be near 1 (chance): the value is then unbounded
    wide = corrected_prevalence_estimate(1000, 200, model[:5], model[:5], None, np.array(["a"] * 5))
    assert (wide.low, wide.high) == (0.0, 1.0)
    # every utterance of every stratum decided: sensitivity and specificity are the population's own
    whole = corrected_prevalence_estimate(
        1000, 200, model, model, np.ones(12), strata, stratum_fraction=np.ones(12), census=True
    )
    assert whole.low == whole.value == whole.high == pytest.approx(0.2)


def test_icc_a1_on_shrout_and_fleiss_data():
    est = icc_a1(SHROUT_FLEISS)
    assert round(est.value, 2) == 0.29  # Shrout & Fleiss (1979), Table 4: ICC(2,1) = .29
    assert est.low < est.value < est.high and est.n == 6
    # psych::ICC on the same data reports the 95 % interval 0.019 to 0.76.
    assert est.low == pytest.approx(0.019, abs=0.001)
    assert est.high == pytest.approx(0.76, abs=0.005)


def test_icc_a1_degenerate_inputs():
    assert icc_a1(SHROUT_FLEISS[:1]) == Estimate(None, None, None, 1, "fewer than 2 targets")
    assert icc_a1(SHROUT_FLEISS[:, :1]) == Estimate(None, None, None, 6, "fewer than 2 raters")
    assert icc_a1(np.full((4, 3), 2.0)) == Estimate(None, None, None, 4, "no variance in the scores")
    missing = SHROUT_FLEISS.astype(float)
    missing[0, 0] = np.nan
    assert icc_a1(missing).value is None and "missing" in icc_a1(missing).reason
    perfect = icc_a1(np.array([[1, 1], [3, 3], [2, 2]]))
    # No disagreement: the error variance is the scale's rounding variance, so the interval opens.
    assert perfect.value == 1.0 and perfect.low < 1.0 and perfect.high == 1.0


def test_the_issues_twelve_items_without_positives_give_open_intervals():
    """12 items, no positives, the model tags one: no interval may collapse to a point."""
    model = np.array([1] + [0] * 11)
    truth = np.zeros(12, dtype=int)
    weights = np.array([5.0] * 6 + [40.0] * 6)
    strata = np.array(["a"] * 6 + ["none"] * 6)
    figures = estimate_agreement(model, truth, weights, strata)
    assert figures["precision"].value == 0 and figures["precision"].high > 0.3
    spec = figures["specificity"]
    assert spec.low < spec.value < spec.high
    kappa = figures["kappa"]
    assert kappa.low < kappa.value < kappa.high


def test_kappa_of_raters_who_always_agree_has_an_open_interval():
    a = np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0])
    e = rater_kappa(a, a.copy(), None, np.array([0, 1] * 5))
    assert e.value == pytest.approx(1.0) and e.high == 1.0 and e.low < 0.9


def test_alpha_of_raters_who_always_agree_has_an_open_interval():
    data = np.array([[1, 0, 0, 1, 0, 0, 0, 1, 0, 0]] * 2, dtype=float)
    e = alpha_estimate(data)
    assert e.value == pytest.approx(1.0) and e.high == 1.0 and e.low < 0.9


def test_alpha_resamples_at_once_equal_alpha_of_each_resample():
    """The vectorised bootstrap of α (the agreement page's cost) gives each resample's own α."""
    from dialogic.validation.reliability import _alpha_replicates
    from dialogic.validation.stats import _resample_indices

    rng = np.random.default_rng(5)
    data = rng.integers(0, 2, size=(40, 3)).astype(float)
    data[rng.random((40, 3)) < 0.2] = np.nan
    items = data[(~np.isnan(data)).sum(axis=1) >= 2]
    indices = _resample_indices(len(items), None, 300, np.random.default_rng(1))
    fast = _alpha_replicates(items, indices)
    slow = [krippendorff_alpha_nominal(items[ix].T) for ix in indices]
    assert [x is None for x in fast] == [x is None for x in slow]
    assert [x for x in fast if x is not None] == pytest.approx([x for x in slow if x is not None])
    one_value = np.ones((5, 2))
    assert all(x is None for x in _alpha_replicates(one_value, _resample_indices(5, None, 10, rng)))
