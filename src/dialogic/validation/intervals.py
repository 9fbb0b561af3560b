"""Intervals for ratios estimated from a stratified, weighted sample, that keep their coverage at
small n and at 0 or n successes.

A proportion here is a ratio of weighted sums, p = Σ w·u / Σ w·v, with 0 <= u <= v per item:
prevalence (u = truth, v = 1), precision (u = model ∧ truth, v = model), recall, specificity, and
F1 (u = 2·TP, v = 2·TP + FP + FN). The interval follows Korn & Graubard (1998, *Survey
Methodology* 24(2): 193–201); it is close to R survey's ``svyciprop(method = "beta")`` but not the
same (that scales by (t_{n−1} / t_df)², and has neither guard below): a Clopper–Pearson interval (statsmodels' ``proportion_confint(method="beta")``) on the effective
sample size n* = p(1 − p) / v(p), where v(p) is the design variance by linearisation (Taylor
series of the ratio, stratified, with the finite population correction), scaled by
(z / t_df)² with df = items − strata. Two guards make it behave where the formula does not:

* when p is 0 or 1, or every stratum is homogeneous (v(p) = 0), n* is Kish's effective sample
  size of the items that count, (Σ w)² / Σ w², the size a simple random sample with the same
  precision would have if the answers did not depend on the stratum;
* n* is never more than the number of items that count (Korn & Graubard's cap), so an interval
  is never narrower than that of a simple random sample of those items;
* at 0 or 1 the other bound also allows for what the sample could have missed (``_boundary``):
  recall 1 with no missed tag found among the heavily weighted untagged items is bounded below
  by TP / (TP + D), D the most missed tags the untagged utterances can hold (Clopper–Pearson's
  upper bound for 0 of their Kish effective size).

An interval is zero-width only when the caller says every item of every stratum was observed
(``census=True``, or every ``stratum_fraction`` is 1): then the figure is the population's, not an
estimate. The sampling fraction of a stratum is the share of its utterances whose answer is *known*
(items decided / stratum size), not the share drawn: an item drawn but not yet rated is missing.
Without a fraction, none is assumed (no finite population correction, never pinned). Everything is vectorised over a leading axis of replications, so
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
    census: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point estimates and intervals of one of :data:`FIGURE_TERMS`, per replication.

    ``model`` and ``truth`` are 0/1 arrays of shape (replications, items) or (items,);
    ``weights`` (items,) sampling weights; ``strata`` (items,) stratum labels;
    ``stratum_fraction`` (items,) each item's stratum sampling fraction n_h / N_h, n_h the items
    of the stratum whose answer is known (default 0: no finite population correction);
    ``census`` whether every item of every stratum of the design is known (default: every
    fraction is 1); only then is the interval the point itself. Returns (value, low, high) of shape (replications,), NaN where the figure is
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
    fraction = _fractions(stratum_fraction, w.size)
    reps = m.shape[0]

    u, v = u_of(m, t), v_of(m, t)
    p, z_obs, defined = _linearised(u, v, w, codes, fraction, len(labels))

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
    observed = _stratified_covariance(z_obs, z_obs, codes, fraction, len(labels))

    counted = (v > 0).sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_smoothed = np.where(variance > 0, smoothed * (1 - smoothed) / variance, counted)
        interior = (p > 0) & (p < 1) & (observed > 0)
        n_observed = np.where(interior, p * (1 - p) / np.where(observed > 0, observed, 1.0), np.inf)
    # The smaller of the two: the smoothed one where the sample shows no variation, the
    # observed one where a rare, heavily weighted answer makes the estimate itself uncertain.
    n_eff = np.minimum(np.minimum(n_smoothed, n_observed), counted)
    census = _is_census(census, fraction)
    p, low, high = _clopper_pearson(p, n_eff, defined, census, max(1, m.shape[1] - len(labels)), level)
    if census:
        return p, low, high
    return p, *_boundary(u_of, v_of, m, t, w, u, v, p, low, high, level)


def _boundary(u_of, v_of, m, t, w, u, v, p, low, high, level: float):
    """Where the figure is 1 (or 0), the bound on the other side also allows for what the sample
    could have missed: every item whose model label lets it add to Σ w·(v − u) (or Σ w·u) — for
    recall, the utterances the model did not tag — stands for Σ w of such utterances, of which
    the sample found none; Clopper–Pearson's upper bound for 0 of their Kish effective size gives
    the most they can hold, D, and the bound is Σ w·u / (Σ w·u + D) (or D / (D + Σ w·(v − u))).
    Without this a sample that found no missed tag among the heavily weighted untagged utterances
    reads recall 1 with a lower bound set by the few tagged items, and misses the truth."""
    tail = (1 - level) / 2
    wu = (w * u).sum(axis=1)
    rest = (w * (v - u)).sum(axis=1)
    out = []
    for at, bound, kept, could in (
        (p >= 1, low, wu, lambda g: max(float(v_of(g, tv)) - float(u_of(g, tv)) for tv in (0.0, 1.0)) > 0),
        (p <= 0, high, rest, lambda g: max(float(u_of(g, tv)) for tv in (0.0, 1.0)) > 0),
    ):
        risk = np.zeros_like(m, dtype=bool)
        for g in (0.0, 1.0):
            if could(np.float64(g)):
                risk |= m == g
        size = (w * risk).sum(axis=1)
        square = (w**2 * risk).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            kish = np.where(square > 0, size**2 / np.where(square > 0, square, 1.0), 0.0)
        # 0 of kish: the exact upper bound of the rate, 1 − tail^(1/kish)
        rate = np.where(kish > 0, 1 - tail ** (1 / np.maximum(kish, 1e-9)), 0.0)
        most = size * rate
        with np.errstate(divide="ignore", invalid="ignore"):
            if bound is low:
                edge = np.where(kept + most > 0, kept / np.where(kept + most > 0, kept + most, 1.0), 1.0)
                out.append(np.where(at & (most > 0), np.minimum(bound, edge), bound))
            else:
                edge = np.where(kept + most > 0, most / np.where(kept + most > 0, kept + most, 1.0), 0.0)
                out.append(np.where(at & (most > 0), np.maximum(bound, edge), bound))
    return out[0], out[1]


def _fractions(stratum_fraction: np.ndarray | None, n: int) -> np.ndarray:
    """Sampling fractions clipped to [0, 1]; none given is 0 (no finite population correction)."""
    if stratum_fraction is None:
        return np.zeros(n)
    return np.clip(np.asarray(stratum_fraction, dtype=float), 0.0, 1.0)


def _is_census(census: bool | None, fraction: np.ndarray) -> bool:
    """The figure is the population's own only when every item of every stratum is known."""
    whole = bool(fraction.size) and bool(np.all(fraction >= 1.0))
    return whole if census is None else bool(census) and whole


def _clopper_pearson(p, n_eff, defined, census: bool, df: int, level: float):
    """Korn–Graubard's last step: Clopper–Pearson at ``p`` on the effective size scaled by
    (z / t_df)²; bounds pinned at 0 and 1 where p is; the point itself when every item of every
    stratum is known (``census``: the figure is the population's own)."""
    tail = (1 - level) / 2
    n_eff = np.maximum(n_eff * (_sps.norm.isf(tail) / _sps.t.isf(tail, df)) ** 2, 1e-9)
    n_eff = np.where(defined, n_eff, 1.0)
    low, high = proportion_confint(np.nan_to_num(p) * n_eff, n_eff, alpha=1 - level, method="beta")
    # statsmodels sets the bound at 0 or 1 only when count / nobs is exactly 0 or 1.
    low = np.where(defined, np.where(p <= 0, 0.0, np.asarray(low, dtype=float)), np.nan)
    high = np.where(defined, np.where(p >= 1, 1.0, np.asarray(high, dtype=float)), np.nan)
    if census:
        low, high = p.copy(), p.copy()
    return p, low, high


def proportion_interval_from_agreement(
    observed_agreement: float, n_eff: float, level: float = 0.95
) -> tuple[float, float]:
    """Clopper–Pearson interval of an agreement proportion seen on ``n_eff`` (effective) pairs."""
    low, high = proportion_confint(observed_agreement * n_eff, n_eff, alpha=1 - level, method="beta")
    return float(low), float(high)


def _linearised(u, v, w, codes, fraction, n_strata):
    """Ratio Σw·u / Σw·v per replication, and each item's linearised score z (reps, items) whose
    stratified variance is the ratio's design variance."""
    denominator = (w * v).sum(axis=1)
    defined = denominator > 0
    safe = np.where(defined, denominator, 1.0)
    p = np.where(defined, (w * u).sum(axis=1) / safe, np.nan)
    z = w * (u - np.nan_to_num(p)[:, None] * v) / safe[:, None]
    return p, z, defined


def _stratified_covariance(za, zb, codes, fraction, n_strata):
    """Σ_h (1 − f_h) n_h / (n_h − 1) Σ_i (za − za̅_h)(zb − zb̅_h): the design covariance of two
    linearised estimates (the variance when za is zb)."""
    out = np.zeros(za.shape[0])
    for h in range(n_strata):
        members = codes == h
        n_h = int(members.sum())
        if n_h < 2:
            continue
        f_h = float(fraction[members].mean())
        da = za[:, members] - za[:, members].mean(axis=1, keepdims=True)
        db = zb[:, members] - zb[:, members].mean(axis=1, keepdims=True)
        out += (1 - f_h) * n_h / (n_h - 1) * (da * db).sum(axis=1)
    return out


def ratio_interval(
    u: np.ndarray,
    v: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray,
    stratum_fraction: np.ndarray | None = None,
    level: float = 0.95,
    census: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A share that is a ratio of weighted sums with 0 <= u <= v per item, not 0/1 (e.g. seconds
    given to the wrong person over seconds of speech): value, low, high per replication.

    Korn–Graubard as in :func:`figure_intervals`: Clopper–Pearson on the effective sample size
    n* = p(1 − p) / v(p) (linearised, stratified design variance, finite population correction,
    (z / t_df)² scaling), never more than the number of items with v > 0 (Korn & Graubard's cap),
    and Kish's effective size of those items weighted by w·v, (Σ w·v)² / Σ (w·v)², when p is 0 or
    1 or the sample shows no variation:
    a sample that found no misattributed second still gets the interval a simple random sample of
    that size would give, never [0, 0].
    """
    u = np.atleast_2d(np.asarray(u, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    u, v = np.broadcast_arrays(u, v)
    w = np.asarray(weights, dtype=float)
    labels, codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    fraction = _fractions(stratum_fraction, w.size)
    p, z, defined = _linearised(u, v, w, codes, fraction, len(labels))
    variance = _stratified_covariance(z, z, codes, fraction, len(labels))
    wv = w * v
    with np.errstate(divide="ignore", invalid="ignore"):
        kish = np.where((wv**2).sum(axis=1) > 0, wv.sum(axis=1) ** 2 / (wv**2).sum(axis=1), 1.0)
        interior = (p > 0) & (p < 1) & (variance > 0)
        n_eff = np.where(interior, p * (1 - p) / np.where(variance > 0, variance, 1.0), kish)
    n_eff = np.minimum(n_eff, (v > 0).sum(axis=1))  # Korn & Graubard's cap: the items that count
    return _clopper_pearson(p, n_eff, defined, _is_census(census, fraction), max(1, u.shape[1] - len(labels)), level)


def ratio_difference_interval(
    u_a: np.ndarray,
    u_b: np.ndarray,
    v: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray,
    stratum_fraction: np.ndarray | None = None,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The difference of two shares of one total, p_a − p_b with p = Σ w·u / Σ w·v (e.g. the
    speech wrongly given to a role less the role's speech given to others: the error in the
    role's voice share). Value, low, high per replication.

    MOVER (Zou & Donner 2008, *Statistics in Medicine* 27: 1693–1702; Newcombe 1998 for the
    difference of proportions): each share's own :func:`ratio_interval` recovers the variance
    at the difference's limits, combined with the two shares' design correlation (negative when
    they are disjoint parts of one total, which widens the interval). It keeps the shares'
    behaviour at 0: a role whose sample showed no error still gets an interval around 0.
    """
    w = np.asarray(weights, dtype=float)
    pa, la, ha = ratio_interval(u_a, v, w, strata, stratum_fraction, level)
    pb, lb, hb = ratio_interval(u_b, v, w, strata, stratum_fraction, level)
    labels, codes = np.unique(np.asarray(strata, dtype=str), return_inverse=True)
    fraction = _fractions(stratum_fraction, w.size)
    ua, vv = np.broadcast_arrays(np.atleast_2d(np.asarray(u_a, dtype=float)), np.atleast_2d(np.asarray(v, dtype=float)))
    ub = np.broadcast_to(np.atleast_2d(np.asarray(u_b, dtype=float)), ua.shape)
    _, za, _ = _linearised(ua, vv, w, codes, fraction, len(labels))
    _, zb, _ = _linearised(ub, vv, w, codes, fraction, len(labels))
    var_a = _stratified_covariance(za, za, codes, fraction, len(labels))
    var_b = _stratified_covariance(zb, zb, codes, fraction, len(labels))
    cov = _stratified_covariance(za, zb, codes, fraction, len(labels))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where((var_a > 0) & (var_b > 0), cov / np.sqrt(var_a * var_b), 0.0)
    rho = np.clip(np.nan_to_num(rho), -1.0, 1.0)
    d = pa - pb
    low = d - np.sqrt(np.maximum((pa - la) ** 2 + (hb - pb) ** 2 - 2 * rho * (pa - la) * (hb - pb), 0.0))
    high = d + np.sqrt(np.maximum((ha - pa) ** 2 + (pb - lb) ** 2 - 2 * rho * (ha - pa) * (pb - lb), 0.0))
    return d, low, high
