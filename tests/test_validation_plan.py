"""`dialogic validate plan`: items and meetings for a chosen interval width."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import build_study
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.validation.plan import (
    _bound_towards_half,
    least_n,
    meetings_for_icc,
    plan_validation,
    simulated_half_widths,
)

runner = CliRunner()


def _population(size: int, tagged_share: float, seed: int = 0) -> list[tuple]:
    """Rows as the sampler reads them: the first tag on ``tagged_share`` of utterances, the
    others rarer, spread over four meeting × role cells."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(size):
        labels = [rng.random() < tagged_share] + [rng.random() < r for r in (0.01, 0.02, 0.03)]
        rows.append((i, f"m{i % 2}", f"r{(i // 2) % 2}", "v", *labels))
    return rows


def test_the_plan_gives_the_half_width_it_promises_and_no_less_items_would():
    rows = _population(4000, 0.1)
    n, hw_p, hw_r = least_n(rows, 0, 0.7, 0.01, 0.15, replications=150)
    assert max(hw_p, hw_r) <= 0.15 and 5 <= n < 4000
    # a third fewer items leave one of the two wider (the search found the least, within 2 %)
    assert max(simulated_half_widths(rows, 0, 0.7, 0.01, int(n * 2 / 3), replications=150)) > 0.15


def test_a_figure_seen_at_0_or_1_is_planned_at_its_bound_and_the_plan_keeps_its_promise():
    """The review's case: no missed tag seen. Planning at q = 0 promised recall ± 0.10 from 12
    untagged items, which gave recall 1.00 [0.12, 1.00]. A rate seen at 0 (or 1) on k items is
    planned at its Clopper–Pearson bound, and the plan is the report's own interval's."""
    assert _bound_towards_half(0.0, 97) == pytest.approx(1 - 0.025 ** (1 / 97))
    assert _bound_towards_half(1.0, 20) == pytest.approx(0.025 ** (1 / 20))
    rows = _population(4000, 0.1)
    q = _bound_towards_half(0.0, 40)
    n, _, hw_recall = least_n(rows, 0, 0.8, q, 0.1, replications=150)
    assert n > 100 and hw_recall <= 0.1


def test_the_whole_population_is_a_census_and_no_plan_exceeds_it():
    rows = _population(300, 0.1)
    assert simulated_half_widths(rows, 0, 0.5, 0.05, 300, replications=50) == (0.0, 0.0)
    n, *_ = least_n(rows, 0, 0.5, 0.05, 0.01, replications=50)
    assert n == 300


def test_meetings_for_icc_follow_bonett():
    # 8 · 1.96² · 0.3² · 1.7² / (2 · 1 · 0.3²) + 1 = 45.4 → 46 for ρ = 0.7, k = 2, width 0.3
    z2 = 1.959963984540054**2
    assert meetings_for_icc(0.7, 2, 0.15) == math.ceil(8 * z2 * 0.09 * 1.7**2 / (2 * 0.09) + 1) == 46
    assert meetings_for_icc(0.7, 3, 0.15) < meetings_for_icc(0.7, 2, 0.15)


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
        assert t.prevalence_seen is None and "not seen yet" in t.note
        assert t.n is None or t.n <= t.population
    assert meetings.meetings == meetings_for_icc(0.7, 2, 0.15)
    con.close()
    result = runner.invoke(app, ["validate", "plan", "--half-width", "0.1", "--db", str(db)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "whole meetings for an ICC half-width of 0.15 with 2 raters: 46" in text
    assert f"dialogic validate sample --n {max(t.n for t in tags if t.n is not None)} gives every tag" in text
    bad = runner.invoke(app, ["validate", "plan", "--half-width", "2", "--db", str(db)])
    assert bad.exit_code == 1 and "--half-width" in bad.output
