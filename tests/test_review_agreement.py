"""Agreement statistics: the SQL views give the libraries' numbers; rater_labels takes majorities."""

from __future__ import annotations

import math
import random

import duckdb
import krippendorff
import numpy as np
import pytest
from builders import build_review_db, refresh
from sklearn.metrics import cohen_kappa_score

from dialogic.db import connect
from dialogic.review.agreement import (
    AgreementReport,
    compute_agreement,
    krippendorff_alpha,
    read_agreement_views,
)
from dialogic.review.ratings import TAGS
from dialogic.store.ratings import record_answers


@pytest.fixture
def con(tmp_path):
    fixture = build_review_db(tmp_path, n_m1=12, n_m2=6)
    con = connect(fixture.db_path)
    con.executemany("insert into raters (rater_id, password_hash) values (?, 'x')", [["dan"], ["eve"]])
    yield con
    con.close()


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _assert_same(library: AgreementReport, views: AgreementReport) -> None:
    assert [(p.tag, p.rater_a, p.rater_b, p.n_items) for p in library.pairs] == [
        (p.tag, p.rater_a, p.rater_b, p.n_items) for p in views.pairs
    ]
    for lib, view in zip(library.pairs, views.pairs):
        assert _close(lib.cohen_kappa, view.cohen_kappa), (lib, view)
    assert [(a.tag, a.n_items, a.n_raters) for a in library.alphas] == [
        (a.tag, a.n_items, a.n_raters) for a in views.alphas
    ]
    for lib, view in zip(library.alphas, views.alphas):
        assert _close(lib.alpha, view.alpha), (lib, view)
    assert [(m.tag, m.rater_id, m.n) for m in library.model_rater] == [
        (m.tag, m.rater_id, m.n) for m in views.model_rater
    ]
    for lib, view in zip(library.model_rater, views.model_rater):
        assert _close(lib.kappa, view.kappa), (lib, view)


def _utterances(con) -> list[str]:
    return [r[0] for r in con.execute("select utterance_id from utterances order by utterance_id").fetchall()]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_views_match_scikit_learn_and_krippendorff_on_random_answers(con, seed):
    rng = random.Random(seed)
    utterances = _utterances(con)
    for rater in ("alice", "bob", "carol", "dan", "eve"):
        for utterance_id in rng.sample(utterances, rng.randint(4, len(utterances))):
            answers = {tag: rng.random() < 0.4 for tag in rng.sample(TAGS, rng.randint(1, 4))}
            record_answers(con, rater, utterance_id, answers, None)
            if rng.random() < 0.3:  # a changed mind: only the latest answer may count
                record_answers(con, rater, utterance_id, {t: not v for t, v in answers.items()}, "changed")
    library, views = compute_agreement(con), read_agreement_views(con)
    assert library.pairs and library.alphas and library.model_rater
    assert any(p.cohen_kappa is not None for p in library.pairs)
    _assert_same(library, views)


def test_hand_computed_example(con):
    """Two raters, four utterances, one tag — figures worked out on paper."""
    u = _utterances(con)[:4]
    # alice: yes yes no no ; bob: yes no no no
    for utterance_id, a, b in zip(u, [True, True, False, False], [True, False, False, False]):
        record_answers(con, "alice", utterance_id, {"persuasion": a}, None)
        record_answers(con, "bob", utterance_id, {"persuasion": b}, None)
    # p_o = 3/4; p_e = 0.5·0.25 + 0.5·0.75 = 0.5; κ = (0.75 − 0.5) / 0.5 = 0.5
    pair = read_agreement_views(con).pairs[0]
    assert (pair.rater_a, pair.rater_b, pair.n_items) == ("alice", "bob", 4)
    assert pair.cohen_kappa == pytest.approx(0.5)
    assert cohen_kappa_score([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    # α: n_yes = 3, n_no = 5, n = 8; one disagreeing unit gives o(yes,no) = 1;
    # α = 1 − 7 · 1 / (3 · 5) = 8/15
    alpha = read_agreement_views(con).alphas[0]
    assert (alpha.n_items, alpha.n_raters) == (4, 2)
    assert alpha.alpha == pytest.approx(8 / 15)
    assert krippendorff.alpha(np.array([[1, 1, 0, 0], [1, 0, 0, 0]]), level_of_measurement="nominal") == pytest.approx(
        8 / 15
    )


def test_undefined_statistics_are_null_in_both(con):
    u = _utterances(con)[:3]
    for utterance_id in u:
        record_answers(con, "alice", utterance_id, {"option_discussion": True}, None)
        record_answers(con, "bob", utterance_id, {"option_discussion": True}, None)
    library, views = compute_agreement(con), read_agreement_views(con)
    assert views.pairs[0].cohen_kappa is None and views.alphas[0].alpha is None
    _assert_same(library, views)


def test_krippendorff_ignores_units_with_one_answer(con):
    u = _utterances(con)
    record_answers(con, "alice", u[0], {"persuasion": True}, None)
    record_answers(con, "bob", u[0], {"persuasion": False}, None)
    record_answers(con, "carol", u[1], {"persuasion": True}, None)  # nobody to pair with
    views = read_agreement_views(con)
    assert (views.alphas[0].n_items, views.alphas[0].n_raters) == (1, 2)
    assert _close(
        views.alphas[0].alpha, krippendorff_alpha({"alice": {u[0]: True}, "bob": {u[0]: False}, "carol": {u[1]: True}})
    )


def test_model_rater_kappa_uses_the_current_model_version(con):
    u = _utterances(con)[:6]
    labels = dict(
        con.execute(
            "select utterance_id, label from tags where tag = 'persuasion' and utterance_id in (select unnest(?))", [u]
        ).fetchall()
    )
    for utterance_id in u:
        record_answers(con, "alice", utterance_id, {"persuasion": labels[utterance_id]}, None)
    assert read_agreement_views(con).model_rater[0].kappa == pytest.approx(1.0)
    # A newer model that says the opposite becomes current and the comparison follows it.
    con.execute(
        """
        insert into tags (utterance_id, meeting_id, tag, probability, label, threshold, model_version)
        select utterance_id, meeting_id, tag, 1 - probability, not label, threshold, 'dialogic-tagger-v2' from tags
        """
    )
    con.execute(
        "insert into tagger_models (model_version, name, version, thresholds, activated_at) "
        "values ('dialogic-tagger-v2', 'dialogic-tagger', 2, '{}', now() + interval 1 second)"
    )
    refresh(con, "m1", "m2")  # as `dialogic tag` does after writing a version's tags
    row = read_agreement_views(con).model_rater[0]
    rater_answers = [labels[i] for i in u]
    opposite = [not label for label in rater_answers]
    assert row.n == 6 and row.kappa == pytest.approx(cohen_kappa_score(rater_answers, opposite)) and row.kappa < 0
    _assert_same(compute_agreement(con), read_agreement_views(con))


def test_rater_labels_take_the_majority_and_drop_ties_and_stale_answers(con):
    u = _utterances(con)
    for rater, value in (("alice", True), ("bob", True), ("carol", False)):
        record_answers(con, rater, u[0], {"persuasion": value}, None)
    for rater, value in (("alice", True), ("bob", False)):
        record_answers(con, rater, u[1], {"persuasion": value}, None)  # a tie
    record_answers(con, "alice", u[2], {"persuasion": True}, None)
    record_answers(con, "alice", u[2], {"persuasion": False}, None)  # changed mind: latest counts
    rows = con.execute(
        "select utterance_id, tag, label, n_raters, text, speaker_role from rater_labels order by utterance_id"
    ).fetchall()
    assert [(r[0], r[2], r[3]) for r in rows] == [(u[0], True, 3), (u[2], False, 1)]
    assert rows[0][4].startswith("Utterance") and rows[0][5] == "clinician"  # u00000 is SPEAKER_00 → p3
    # Re-processing changes the text: answers about the old text are stale and drop out.
    con.execute("update utterances set text = 'different words' where utterance_id = ?", [u[0]])
    assert [r[0] for r in con.execute("select utterance_id from rater_labels").fetchall()] == [u[2]]
    assert con.execute("select count(*) from rating_current where is_stale").fetchone()[0] == 3


def test_ratings_are_never_updated(con):
    u = _utterances(con)[0]
    record_answers(con, "alice", u, {"persuasion": True}, "first")
    record_answers(con, "alice", u, {"persuasion": False}, "second")
    rows = con.execute("select value, note, utterance_text from ratings order by rating_id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(True, "first"), (False, "second")]
    assert rows[0][2].startswith("Utterance 0")
    with pytest.raises(ValueError, match="unknown tags"):
        record_answers(con, "alice", u, {"not_a_tag": True}, None)
    # the schema names no tag (the codebook decides which exist, above); it still refuses a value
    # that is no tag name at all
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "insert into ratings (rater_id, utterance_id, meeting_id, tag, value, utterance_text) "
            "values ('alice', ?, 'm1', 'Bogus tag!', true, 'x')",
            [u],
        )
