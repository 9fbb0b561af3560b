"""Intervals for ratios estimated from a stratified, weighted sample, that keep their coverage at
small n and at 0 or n successes.

A proportion here is a ratio of weighted sums, p = Σ w·u / Σ w·v, with 0 <= u <= v per item:
prevalence (u = truth, v = 1), precision (u = model ∧ truth, v = model), recall, specificity, and
F1 (u = 2·TP, v = 2·TP + FP + FN). The interval is Korn & Graubard's (1998, *Survey Methodology*
24(2): 193–201) as the R survey package gives it (``svyciprop(method = "beta")``): a
Clopper–Pearson interval (statsmodels' ``proportion_confint(method="beta")``) on the effective
sample size n* = p(1 − p) / v(p), where v(p) is the design variance by linearisation (Taylor
series of the ratio, stratified, with the finite population correction), scaled by
(z / t_df)² with df = items − strata. Two guards make it behave where the formula does not:

* when p is 0 or 1, or every stratum is homogeneous (v(p) = 0), n* is Kish's effective sample
  size of the items that count, (Σ w)² / Σ w², the size a simple random sample with the same
  precision would have if the answers did not depend on the stratum;
* n* is never more than the number of items that count (Korn & Graubard's cap), so an interval
  is never narrower than that of a simple random sample of those items.

An interval is zero-width only when every stratum was observed whole (then the figure is the
population's, not an estimate). Everything is vectorised over a leading axis of replications, so
the coverage simulation in the tests runs thousands of samples at once.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _sps
from statsmodels.stats.proportion import proportion_confint

FIGURE_TERMS = {
    # figure: (u, v) of an item as functions of its model label m and true label t (0/1)
    "prevalence": (lambda m, t: t, lambda m, t: np.ones_like(t)),
    "precision": (lambda m, t: m * t, lambda m, t: m),
    "recall": (lambda m, t: m * t, lambda m, t: t),
    "specificity": (lambda m, t: (1 - m) * (1 - t), lambda m, t: 1 - t),
    "f1": (lambda m, t: 2 * m * t, lambda m, t: 2 * m * t + m * (1 - t) + (1 - m) * t),
}


def figure_intervals(
    figure: str,
    model: np.ndarray,
    truth: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray,
    stratum_fraction: np.ndarray | None = None,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point estimates and intervals of one of :data:`FIGURE_TERMS`, per replication.

    ``model`` and ``truth`` are 0/1 arrays of shape (replications, items) or (items,);
    ``weights`` (items,) sampling weights; ``strata`` (items,) stratum labels;
    ``stratum_fraction`` (items,) each item's stratum sampling fraction n_h / N_h (default
    1 / weight). Returns (value, low, high) of shape (replications,), NaN where the figure is
    undefined (Σ w·v = 0).

    The design variance is the linearised variance of the ratio with each stratum's rate of
    truth among its items of each model label smoothed as Jeffreys's (x + ½) / (n + 1): a
    stratum in which no rater found the tag still adds the variance that a rate it could not
    rule out would give, and a stratum of one item adds some. Without this, a sample that happens
    to hold no missed tag among the heavily weighted untagged utterances reads recall 1 with no
    variance — the intervals the issue found collapsed.
    """
    u_of, v_of = FIGURE_TERMS[figure]
    m = np.atleast_2d(np.asarray(model, dtype=float))
    t = np.atleast_2d(np.asarray(truth, dtype=float))
    m, t = np.broadcast_arrays(m, t)
    w = np.asarray(weights, dtype=float)
    labels, codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    fraction = 1.0 / w if stratum_fraction is None else np.asarray(stratum_fraction, dtype=float)
    fraction = np.clip(fraction, 0.0, 1.0)
    reps = m.shape[0]

    u, v = u_of(m, t), v_of(m, t)
    denominator = (w * v).sum(axis=1)
    defined = denominator > 0
    p = np.where(defined, (w * u).sum(axis=1) / np.where(defined, denominator, 1.0), np.nan)

    # Smoothed cell probabilities per stratum h, model label g, truth value: (reps,) arrays.
    cells = []  # (h, weight_h, fraction_h, n_h, g, truth, probability)
    for h in range(len(labels)):
        members = codes == h
        n_h = int(members.sum())
        w_h = float(w[members].mean())
        f_h = float(fraction[members].mean())
        for g in (0.0, 1.0):
            in_g = (m[:, members] == g).sum(axis=1)
            if not in_g.any():
                continue
            x = ((m[:, members] == g) * t[:, members]).sum(axis=1)
            rate = (x + 0.5) / (in_g + 1.0)
            share = in_g / n_h
            cells.append((h, w_h, f_h, n_h, g, 1.0, share * rate))
            cells.append((h, w_h, f_h, n_h, g, 0.0, share * (1 - rate)))
    big_u = np.zeros(reps)
    big_v = np.zeros(reps)
    for _h, w_h, _f, n_h, g, tv, q in cells:
        big_u += w_h * n_h * q * float(u_of(g, tv))
        big_v += w_h * n_h * q * float(v_of(g, np.float64(tv)))
    smoothed = np.where(big_v > 0, big_u / np.where(big_v > 0, big_v, 1.0), 0.5)
    variance = np.zeros(reps)
    for h in range(len(labels)):
        mine = [c for c in cells if c[0] == h]
        if not mine:
            continue
        _, w_h, f_h, n_h, _, _, _ = mine[0]
        z = [w_h * (float(u_of(g, tv)) - smoothed * float(v_of(g, np.float64(tv)))) for _, _, _, _, g, tv, _ in mine]
        q = [c[6] for c in mine]
        mean = sum(qi * zi for qi, zi in zip(q, z, strict=True))
        spread = sum(qi * (zi - mean) ** 2 for qi, zi in zip(q, z, strict=True))
        correction = n_h / (n_h - 1) if n_h > 1 else 1.0
        variance += (1 - f_h) * n_h * correction * spread
    variance = variance / np.where(big_v > 0, big_v, 1.0) ** 2

    # The plain linearised variance at the estimate, from the items as observed.
    z_obs = w * (u - np.nan_to_num(p)[:, None] * v) / np.where(defined, denominator, 1.0)[:, None]
    observed = np.zeros(reps)
    for h in range(len(labels)):
        members = codes == h
        n_h = int(members.sum())
        if n_h < 2:
            continue
        zh = z_obs[:, members]
        f_h = float(fraction[members].mean())
        observed += (1 - f_h) * n_h / (n_h - 1) * ((zh - zh.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)

    counted = (v > 0).sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_smoothed = np.where(variance > 0, smoothed * (1 - smoothed) / variance, counted)
        interior = (p > 0) & (p < 1) & (observed > 0)
        n_observed = np.where(interior, p * (1 - p) / np.where(observed > 0, observed, 1.0), np.inf)
    # The smaller of the two: the smoothed one where the sample shows no variation, the
    # observed one where a rare, heavily weighted answer makes the estimate itself uncertain.
    n_eff = np.minimum(np.minimum(n_smoothed, n_observed), counted)
    df = max(1, m.shape[1] - len(labels))
    tail = (1 - level) / 2
    n_eff = n_eff * (_sps.norm.isf(tail) / _sps.t.isf(tail, df)) ** 2
    n_eff = np.where(defined, np.maximum(n_eff, 1e-9), 1.0)

    low, high = proportion_confint(np.nan_to_num(p) * n_eff, n_eff, alpha=1 - level, method="beta")
    # statsmodels sets the bound at 0 or 1 only when count / nobs is exactly 0 or 1.
    low = np.where(defined, np.where(p <= 0, 0.0, np.asarray(low, dtype=float)), np.nan)
    high = np.where(defined, np.where(p >= 1, 1.0, np.asarray(high, dtype=float)), np.nan)
    if np.all(fraction >= 1.0):
        # Every stratum observed whole: the figure is the population's own.
        low, high = p.copy(), p.copy()
    return p, low, high


def proportion_interval_from_agreement(
    observed_agreement: float, n_eff: float, level: float = 0.95
) -> tuple[float, float]:
    """Clopper–Pearson interval of an agreement proportion seen on ``n_eff`` (effective) pairs."""
    low, high = proportion_confint(observed_agreement * n_eff, n_eff, alpha=1 - level, method="beta")
    return float(low), float(high)
