"""`dialogic validate plan`: items and meetings for a chosen interval width."""

from __future__ import annotations

import math

import numpy as np
from builders import build_study
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.validation.intervals import figure_intervals
from dialogic.validation.plan import items_for_precision, items_for_recall, meetings_for_icc, plan_validation

runner = CliRunner()


def test_precision_items_by_hand_and_the_interval_they_give():
    # 1.959964² · 0.25 / 0.01 = 96.04 → 97
    assert items_for_precision(0.5, 0.1) == 97
    n = items_for_precision(0.8, 0.05)  # 1.96² · 0.16 / 0.0025 = 245.9 → 246
    assert n == 246
    # a simple random sample of that many items at precision 0.8 gives a half-width close to 0.05
    truth = (np.arange(n) < round(0.8 * n)).astype(float)
    _, low, high = figure_intervals("precision", np.ones(n), truth, np.full(n, 10.0), np.zeros(n))
    assert 0.045 < (high[0] - low[0]) / 2 < 0.06


def test_meetings_for_icc_follow_bonett():
    # 8 · 1.96² · 0.3² · 1.7² / (2 · 1 · 0.3²) + 1 = 45.4 → 46 for ρ = 0.7, k = 2, width 0.3
    z2 = 1.959963984540054**2
    assert meetings_for_icc(0.7, 2, 0.15) == math.ceil(8 * z2 * 0.09 * 1.7**2 / (2 * 0.09) + 1) == 46
    assert meetings_for_icc(0.7, 3, 0.15) < meetings_for_icc(0.7, 2, 0.15)


def test_recall_needs_more_untagged_items_when_missed_tags_are_rare():
    common = items_for_recall(500, 9500, 0.8, 0.02, 100, 0.1)
    rare = items_for_recall(500, 9500, 0.8, 0.002, 100, 0.1)
    assert common is not None and rare is not None and common > 0 and rare > 0
    # a tagged stratum rated too thinly cannot be rescued by the untagged one
    assert items_for_recall(500, 9500, 0.5, 0.05, 2, 0.01) is None


def test_plan_on_a_study_and_the_cli(tmp_path):
    db = tmp_path / "p.duckdb"
    con = build_study(db)
    tags, meetings = plan_validation(con, half_width=0.1)
    assert {t.tag for t in tags} == {
        "persuasion",
        "option_discussion",
        "preference_elicitation",
        "peer_self_disclosure",
    }
    for t in tags:
        assert t.items_tagged_stratum <= t.tagged
        assert t.prevalence_seen is None and "not seen yet" in t.note
    assert meetings.meetings == meetings_for_icc(0.7, 2, 0.15)
    con.close()
    result = runner.invoke(app, ["validate", "plan", "--half-width", "0.1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "whole meetings for an ICC half-width of 0.15 with 2 raters: 46" in " ".join(result.output.split())
    bad = runner.invoke(app, ["validate", "plan", "--half-width", "2", "--db", str(db)])
    assert bad.exit_code == 1 and "--half-width" in bad.output
