"""Rater against rater: how far the humans agree with each other, the ceiling for the model's
agreement with them (:mod:`dialogic.validation.stats`).

Cohen's κ between two raters (:func:`rater_kappa`), nominal Krippendorff's α over any number of
raters (:func:`krippendorff_alpha_nominal`, :func:`alpha_estimate`), and ICC(A,1) of
meeting-level scores (:func:`icc_a1`). Plain functions over numpy arrays; each figure comes as an
:class:`~dialogic.validation.stats.Estimate`, ``None`` with a reason where it is undefined.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as _sps

from dialogic.validation.intervals import proportion_interval_from_agreement
from dialogic.validation.stats import (
    FEWER_THAN_2_ITEMS,
    NO_SHARED_ITEMS,
    NO_VARIATION,
    ONE_RATER,
    Estimate,
    _float_or_none,
    _hull,
    _percentile_interval,
    _resample_indices,
    _weights,
    bootstrap,
    cohen_kappa,
    kappa_fallback_interval,
    kappa_rescaled_interval,
)


def rater_kappa(
    a: np.ndarray,
    b: np.ndarray | None,
    weights: np.ndarray | None,
    strata: np.ndarray | None,
    seed: int = 0,
    *,
    n_resamples: int = 2000,
    level: float = 0.95,
    stratum_fraction: np.ndarray | None = None,
) -> Estimate:
    """Cohen's κ between two raters' answers on the same items, with a bootstrap interval.

    The human ceiling for :func:`estimate_agreement`'s κ. Items either rater left unanswered
    (NaN) are dropped; the interval is Rao & Wu's rescaling bootstrap
    (:func:`kappa_rescaled_interval`) of the remaining items within their strata for yes/no
    answers, the plain stratified bootstrap otherwise. ``b=None`` (or nothing answered by the second rater) is "one rater only".
    """
    a = np.asarray(a, dtype=float)
    if b is None or np.isnan(np.asarray(b, dtype=float)).all():
        return Estimate(None, None, None, 0, ONE_RATER)
    b = np.asarray(b, dtype=float)
    w = _weights(weights, a.size)
    both = ~np.isnan(a) & ~np.isnan(b)
    n = int(both.sum())
    if n == 0:
        return Estimate(None, None, None, 0, NO_SHARED_ITEMS)
    a, b, w = a[both], b[both], w[both]
    s = None if strata is None else np.asarray(strata)[both]
    value = cohen_kappa(a, b, w)
    if value is None:
        return Estimate(None, None, None, n, NO_VARIATION)
    if n < 2:
        return Estimate(value, None, None, n, FEWER_THAN_2_ITEMS)
    f = None if stratum_fraction is None else np.asarray(stratum_fraction, dtype=float)[both]
    if np.isin(a, (0.0, 1.0)).all() and np.isin(b, (0.0, 1.0)).all():
        boot = kappa_rescaled_interval(a, b, w, s, f, n_resamples=n_resamples, level=level, seed=seed)
    else:
        boot = bootstrap(cohen_kappa, (a, b), w, s, n_resamples=n_resamples, level=level, seed=seed)
    return _hull(value, boot, kappa_fallback_interval(a, b, w, level), n)


def krippendorff_alpha_nominal(reliability: np.ndarray) -> float | None:
    """Krippendorff's α, nominal metric, of a raters × items matrix (NaN = not answered).

    Computed from the coincidence matrix over pairable items (answered by two raters or more):
    α = 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k. Equals the ``krippendorff`` package's
    ``alpha(..., level_of_measurement="nominal")``. None when undefined: fewer than two raters,
    no pairable item, or a single value among the pairable answers.
    """
    data = np.asarray(reliability, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2:
        return None
    answered = ~np.isnan(data)
    values = np.unique(data[answered])
    if values.size < 2:
        return None
    # counts[u, c]: how many raters gave item u the value c.
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1).astype(float)
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    if not pairable.any():
        return None
    counts, m_u = counts[pairable], m_u[pairable]
    disagreeing = float((((m_u**2) - (counts**2).sum(axis=1)) / (m_u - 1)).sum())  # Σ_{c≠k} o_ck
    n_c = counts.sum(axis=0)
    n = float(n_c.sum())
    expected = n**2 - float((n_c**2).sum())  # Σ_{c≠k} n_c n_k
    if expected <= 0:
        return None
    return 1 - (n - 1) * disagreeing / expected


def alpha_estimate(
    reliability: np.ndarray,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    level: float = 0.95,
    strata: np.ndarray | None = None,
) -> Estimate:
    """Nominal Krippendorff's α with an interval over items (columns): the hull of a bootstrap's
    and of the Clopper–Pearson interval of the observed disagreement (:func:`_hull`).

    Only pairable items (answered by two raters or more) count; ``n`` is their number. The
    interval resamples those items with replacement (within ``strata``, one label per column,
    when given). α is unweighted: it describes the sample, not the weighted population.
    Reasons: "one rater only", "fewer than 2 items", "no variation: every answer is the same".
    """
    data = np.asarray(reliability, dtype=float)
    if data.ndim != 2 or (~np.isnan(data)).any(axis=1).sum() < 2:
        return Estimate(None, None, None, 0, ONE_RATER)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    n = int(pairable.sum())
    if n < 2:
        return Estimate(None, None, None, n, FEWER_THAN_2_ITEMS)
    items = data[:, pairable].T  # items × raters, so the bootstrap resamples rows = items
    value = krippendorff_alpha_nominal(items.T)
    if value is None:
        return Estimate(None, None, None, n, NO_VARIATION)
    s = None if strata is None else np.asarray(strata)[pairable]
    indices = _resample_indices(n, s, n_resamples, np.random.default_rng(seed))
    low, high = _percentile_interval(list(_alpha_replicates(items, indices)), n_resamples, level)
    return _hull(value, (low, high), _alpha_fallback_interval(items.T, level), n)


def _alpha_replicates(items: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """:func:`krippendorff_alpha_nominal` of each resample of pairable ``items`` (items × raters)
    given by a row of ``indices``, at once (None where undefined): α's sums are over items, so a
    resample's are sums of per-item terms. The same resamples as :func:`bootstrap` with that
    seed; the agreement page computes eight of these per request."""
    answered = ~np.isnan(items)
    values = np.unique(items[answered])
    counts = np.stack([(items == v).sum(axis=1) for v in values], axis=1).astype(float)  # items × values
    m_u = counts.sum(axis=1)
    disagreeing = ((m_u**2) - (counts**2).sum(axis=1)) / (m_u - 1)
    d = disagreeing[indices].sum(axis=1)
    n_c = counts[indices].sum(axis=1)  # resamples × values
    total = n_c.sum(axis=1)
    expected = total**2 - (n_c**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (total - 1) * d / expected
    return np.array([float(a) if e > 0 else None for a, e in zip(alpha, expected, strict=True)], dtype=object)


def _alpha_fallback_interval(reliability: np.ndarray, level: float) -> tuple[float | None, float | None]:
    """α = 1 − D_o / D_e with the observed disagreement D_o (the share of disagreeing pairable
    answer pairs) given its Clopper–Pearson interval on the pairable items, D_e held fixed."""
    data = np.asarray(reliability, dtype=float)
    value = krippendorff_alpha_nominal(data)
    if value is None:
        return None, None
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1).astype(float)
    m_u = counts.sum(axis=1)
    counts, m_u = counts[m_u >= 2], m_u[m_u >= 2]
    n_c = counts.sum(axis=0)
    total = float(n_c.sum())
    d_e = (total**2 - float((n_c**2).sum())) / (total * (total - 1))
    d_o = (1 - value) * d_e
    low, high = proportion_interval_from_agreement(1 - d_o, float(len(m_u)), level)
    if d_o <= 0:
        high = 1.0
    return max(-1.0, 1 - (1 - low) / d_e), min(1.0, 1 - (1 - high) / d_e)


# --- meeting-level scores --------------------------------------------------------------------


def icc_a1(scores: np.ndarray, level: float = 0.95) -> Estimate:
    """ICC(A,1): two-way random effects, absolute agreement, single rater (McGraw & Wong 1996;
    Shrout & Fleiss's ICC(2,1)), of a targets × raters matrix without missing values.

    ICC = (MSR − MSE) / (MSR + (k−1)·MSE + k/n·(MSC − MSE)), with its interval from the F
    distribution (McGraw & Wong 1996, case 2A; Satterthwaite degrees of freedom v).
    None with a reason for fewer than 2 targets or raters, missing scores, or no variance. With
    perfect agreement (no error variance) the value is 1 and the interval is computed with the
    error variance of rounding to the score's scale (never zero-width).
    """
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        return Estimate(None, None, None, int(x.shape[0]) if x.ndim == 2 else 0, "fewer than 2 targets")
    n, k = x.shape
    if k < 2:
        return Estimate(None, None, None, n, "fewer than 2 raters")
    if np.isnan(x).any():
        return Estimate(None, None, None, n, "missing scores: every rater must score every target")
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    if ss_total <= 1e-12 * max(1.0, float((x**2).sum())):
        return Estimate(None, None, None, n, "no variance in the scores")
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_err = max(0.0, ss_total - ss_rows - ss_cols)
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    icc = (msr - mse) / (msr + (k - 1) * mse + k / n * (msc - mse))
    perfect = mse <= 1e-12 * ss_total
    if perfect:
        # No disagreement at all: an F interval would be zero-width. The error variance is taken as
        # the rounding variance of the score's scale, Δ²/12 with Δ its smallest step, since
        # scores that agree to the step could still differ by less than one.
        steps = np.diff(np.unique(x))
        step = float(steps.min()) if steps.size else 1.0
        mse = step**2 / 12
    shape = (msr - mse) / (msr + (k - 1) * mse + k / n * (msc - mse)) if perfect else icc
    # McGraw & Wong (1996), case 2A: a, b, and the Satterthwaite degrees of freedom v.
    a = k * shape / (n * (1 - shape))
    b = 1 + k * shape * (n - 1) / (n * (1 - shape))
    v_den = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
    v = (a * msc + b * mse) ** 2 / v_den if v_den > 0 else math.nan
    q = 1 - (1 - level) / 2
    if not v > 0:
        return Estimate(float(icc), None, None, n, "interval undefined")
    f_low = _sps.f.ppf(q, n - 1, v)
    f_high = _sps.f.ppf(q, v, n - 1)
    low = n * (msr - f_low * mse) / (f_low * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_high * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_high * msr)
    low, high = _float_or_none(low), _float_or_none(high)
    if perfect and low is not None and high is not None:
        low, high = min(low, icc), max(high, icc)
    return Estimate(float(icc), low, high, n)
