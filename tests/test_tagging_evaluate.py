"""Scores, thresholds and calibration against hand-computed answers."""

import numpy as np
import pytest

from dialogic.tagging.codebook import TAGS
from dialogic.tagging.evaluate import (
    apply_platt,
    choose_thresholds,
    expected_calibration_error,
    fit_platt,
    score_predictions,
)


def _grid(column: list[int]) -> np.ndarray:
    """The same column for every tag."""
    return np.tile(np.array(column)[:, None], (1, len(TAGS)))


def test_per_tag_f1_matches_hand_count():
    labels = _grid([1, 1, 1, 0, 0, -1])
    probs = _grid([0.9, 0.8, 0.2, 0.7, 0.1, 0.99]).astype(float)
    scores = score_predictions(labels, probs, {t: 0.5 for t in TAGS})
    # tp=2 fp=1 fn=1 (the unjudged row is ignored): precision = recall = F1 = 2/3
    for s in scores.per_tag.values():
        assert s.precision == pytest.approx(0.6667, abs=1e-4)
        assert s.recall == pytest.approx(0.6667, abs=1e-4)
        assert s.f1 == pytest.approx(0.6667, abs=1e-4)
        assert (s.support, s.n) == (3, 5)
    assert scores.macro_f1 == pytest.approx(0.6667, abs=1e-4)


def test_calibration_error_of_known_bins():
    # bin [0.2, 0.3): mean p 0.25, observed 0.5 -> 0.25; bin [0.9, 1]: mean p 0.95, observed 1 -> 0.05
    y = np.array([1, 0, 1, 1])
    p = np.array([0.25, 0.25, 0.95, 0.95])
    assert expected_calibration_error(y, p) == pytest.approx((2 * 0.25 + 2 * 0.05) / 4)


def test_thresholds_maximise_dev_f1():
    labels = _grid([1, 1, 0, 0])
    probs = _grid([0.8, 0.7, 0.6, 0.1]).astype(float)
    thresholds = choose_thresholds(labels, probs)
    for t in TAGS:
        assert 0.6 < thresholds[t] <= 0.7


def test_thresholds_under_a_false_fire_cap():
    # 1 positive at 0.9, 2 at 0.5; 10 negatives, one at 0.6 and one at 0.3.
    labels = _grid([1, 1, 1] + [0] * 10)
    probs = _grid([0.9, 0.5, 0.5, 0.6, 0.3] + [0.1] * 8).astype(float)
    # Uncapped, F1 is best (6/7) with every positive in: a cut in (0.3, 0.5] tags the 0.6 negative.
    assert all(0.3 < t <= 0.5 for t in choose_thresholds(labels, probs).values())
    # At most 5 % of the 10 negatives (none) may fire: the cut must pass 0.6, leaving only the 0.9.
    capped = choose_thresholds(labels, probs, max_false_fire=0.05)
    assert all(0.6 < t <= 0.9 for t in capped.values())
    scores = score_predictions(labels, probs, capped)
    assert all(s.false_fire == 0.0 and s.recall == pytest.approx(0.3333, abs=1e-4) for s in scores.per_tag.values())
    # A cap of 10 % allows the one negative at 0.6, so the uncapped cut stands.
    assert choose_thresholds(labels, probs, max_false_fire=0.1) == choose_thresholds(labels, probs)
    # No cut on the grid meets a cap no cut can meet: the highest cut is taken.
    never = _grid([1, 0]), _grid([0.99, 0.99]).astype(float)
    assert set(choose_thresholds(*never, max_false_fire=0.0).values()) == {0.95}


def test_a_looser_cap_only_where_the_tighter_one_costs_the_f1_floor():
    # Column A: three positives, the 0.8 negative is the only false fire; 20 negatives (5 % each).
    # Under a 1 % cap the cut must pass 0.8: F1 0.8 (0.9 and 0.85 kept, 0.5 lost) -- kept at floor 0.6.
    # With a floor of 0.85, the 5 % cap is tried: the cut drops to 0.5, F1 6/7.
    labels = _grid([1, 1, 1] + [0] * 20)
    probs = _grid([0.9, 0.85, 0.5, 0.8] + [0.1] * 19).astype(float)
    tight = choose_thresholds(labels, probs, (0.01, 0.05), min_f1=0.6)
    assert all(0.8 < t <= 0.85 for t in tight.values())
    loose = choose_thresholds(labels, probs, (0.01, 0.05), min_f1=0.85)
    assert all(0.1 < t <= 0.5 for t in loose.values())
    assert loose == choose_thresholds(labels, probs, 0.05)


def test_a_plateau_takes_the_lowest_cut_dev_cannot_tell_from_the_best():
    # 20 positives (19 at 0.95, one at 0.4), 20 negatives (one at 0.3, 19 at 0.05). F1 by cut:
    # (0.05, 0.3] keeps every positive and the 0.3 negative: 40/41 = 0.9756;
    # (0.3, 0.4] keeps every positive and no negative: 1.0;
    # (0.4, 0.95] loses the 0.4 positive: 38/39 = 0.9744.
    labels = _grid([1] * 20 + [0] * 20)
    probs = _grid([0.95] * 19 + [0.4] + [0.3] + [0.05] * 19).astype(float)
    # The argmax is a flat stretch; its tie-break takes the cut nearest 0.5.
    assert set(choose_thresholds(labels, probs).values()) == {0.4}
    # A plateau takes the lowest cut of that stretch ...
    assert set(choose_thresholds(labels, probs, plateau=0.01).values()) == {0.31}
    # ... and, when it is wide enough to take in a stretch 0.0244 below the best, the lowest of that.
    assert set(choose_thresholds(labels, probs, plateau=0.03).values()) == {0.06}
    # Under a cap of no false fire, cuts at or under 0.3 are not allowed, however wide the plateau.
    assert set(choose_thresholds(labels, probs, 0.0, plateau=1.0).values()) == {0.31}


def test_with_a_plateau_the_step_to_a_looser_cap_is_decided_on_the_best_cut():
    # 19 positives at 0.95; 20 negatives: one at 0.5, one at 0.3, 18 at 0.05. Under a 5 % cap (one
    # false fire) cuts above 0.3 are allowed: F1 1.0 above 0.5, 38/39 = 0.9744 in (0.3, 0.5]. A
    # 10 % cap would also allow (0.05, 0.3]: F1 38/40 = 0.95.
    labels = _grid([1] * 19 + [0] * 20)
    probs = _grid([0.95] * 19 + [0.5, 0.3] + [0.05] * 18).astype(float)
    # The tighter cap's best cut (F1 1.0) meets the floor of 0.99, so the tighter cap stands, and
    # the plateau's lowest cut within 0.06 of it is 0.31, though that cut's own F1 is under the floor.
    chosen = choose_thresholds(labels, probs, (0.05, 0.1), min_f1=0.99, plateau=0.06)
    assert set(chosen.values()) == {0.31}
    assert set(choose_thresholds(labels, probs, 0.1, plateau=0.06).values()) == {0.06}  # what the looser cap gives


def test_false_fire_is_the_share_of_negatives_tagged():
    labels = _grid([1, 0, 0, 0, -1])
    probs = _grid([0.1, 0.9, 0.2, 0.2, 0.9]).astype(float)
    for s in score_predictions(labels, probs, {t: 0.5 for t in TAGS}).per_tag.values():
        assert s.false_fire == pytest.approx(1 / 3, abs=1e-4)  # the unjudged row is not a negative


def test_platt_scaling_recovers_calibrated_probabilities():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, len(TAGS)))
    true_p = 1 / (1 + np.exp(-(0.5 * logits - 1.0)))
    labels = (rng.random(true_p.shape) < true_p).astype(int)
    params = fit_platt(labels, logits)
    for tag in TAGS:
        a, b = params[tag]
        assert a == pytest.approx(0.5, abs=0.1) and b == pytest.approx(-1.0, abs=0.15)
    assert expected_calibration_error(labels, apply_platt(logits, params)) < 0.03
