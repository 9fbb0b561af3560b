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
