"""Validation built in, on real DuckDB files: drawing the sample, the blind queue, the truth per
item, the report's figures on a hand-computed sample, and the status every view then carries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from builders import VERSION, build_study, insert, refresh
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.errors import LookupFailed
from dialogic.store.ratings import record_answers
from dialogic.store.validation import store_estimates, write_settings
from dialogic.tagging.codebook import TAGS
from dialogic.validation.queue import queue_kind, validation_progress, validation_queue
from dialogic.validation.report import validation_report
from dialogic.validation.sample import draw_sample
from dialogic.validation.settings import ValidationSettings, read_settings

runner = CliRunner()


def test_a_sample_is_stratified_weighted_and_reproducible(tmp_path):
    con = build_study(tmp_path / "s.duckdb")
    summary = draw_sample(con, 20, seed=7)
    assert (summary.sample_id, summary.population, summary.drawn, summary.tagger_model_version) == (
        "v001",
        60,
        20,
        VERSION,
    )
    # per meeting: persuasion at 0, 10, 20; options at every 3rd (10, one of them 0); preference at 1, 16.
    # Rarest predicted tag first: preference 4, persuasion 6, options 2 × 9 = 18 left, none 32.
    # 20 split evenly: 5 each, preference has only 4, its fifth goes to the first open level (none).
    assert summary.by_predicted == {
        "preference_elicitation": (4, 4),
        "persuasion": (6, 5),
        "option_discussion": (18, 5),
        "none": (32, 6),
    }
    items = con.execute(
        "select utterance_id, predicted, stratum, stratum_size, stratum_sampled, weight "
        "from validation_items order by draw_order"
    ).fetchall()
    assert len(items) == 20 and len({i[0] for i in items}) == 20
    # weights undo the stratification: they add up to the population of every predicted level
    for level, (population, _) in summary.by_predicted.items():
        assert sum(i[5] for i in items if i[1] == level) == pytest.approx(population)
    assert all(i[5] == pytest.approx(i[3] / i[4]) for i in items)
    # the same seed draws the same items; another seed others
    again = draw_sample(con, 20, seed=7)
    other = draw_sample(con, 20, seed=8)
    drawn = {
        s: {r[0] for r in con.execute("select utterance_id from validation_items where sample_id = ?", [s]).fetchall()}
        for s in ("v001", again.sample_id, other.sample_id)
    }
    assert drawn["v001"] == drawn["v002"] != drawn["v003"]
    con.close()


def test_every_utterance_can_be_drawn_whatever_the_sample_size(tmp_path):
    # the weights of a sample add up to the population only if no utterance has zero chance
    con = build_study(tmp_path / "w.duckdb")
    for n in range(4, 61, 3):
        summary = draw_sample(con, n, seed=n)
        total = con.execute(
            "select sum(weight), count(*) from validation_items where sample_id = ?", [summary.sample_id]
        ).fetchone()
        assert total == (pytest.approx(60.0), n), n
    with pytest.raises(LookupFailed, match="--n 3 is too small: each of the 4 predicted strata"):
        draw_sample(con, 3)
    con.close()


def test_bad_sample_requests_say_what_is_wrong(tmp_path):
    con = build_study(tmp_path / "b.duckdb")
    with pytest.raises(LookupFailed, match="--n 61 is more than the 60 utterances that can be sampled"):
        draw_sample(con, 61)
    with pytest.raises(LookupFailed, match="--n must be at least 1"):
        draw_sample(con, 0)
    with pytest.raises(LookupFailed, match="no meeting"):
        draw_sample(con, 5, meetings=["nope"])
    with pytest.raises(LookupFailed, match="no validation sample yet"):
        validation_queue(con, "alice")
    with pytest.raises(LookupFailed, match="no validation sample yet"):
        validation_report(con)
    con.execute("update meetings set consent_scope = ['transcribe', 'analyse']")  # review withdrawn from scope
    with pytest.raises(
        LookupFailed, match="nothing to sample: no tagged utterances in meetings whose consent covers review"
    ):
        draw_sample(con, 5)
    con.close()


def test_the_queue_is_blind_two_raters_each_and_a_third_for_disagreements(tmp_path):
    con = build_study(tmp_path / "q.duckdb")
    draw_sample(con, 6, seed=1)
    first = [i.utterance_id for i in validation_queue(con, "alice")]
    assert len(first) == 6 and [i.kind for i in validation_queue(con, "alice")] == ["validation"] * 6
    # dave saw the second item in the training queue: he is not blind to it any more
    record_answers(con, "dave", first[1], {t: False for t in TAGS}, None)
    assert first[1] not in [i.utterance_id for i in validation_queue(con, "dave")]
    no = {t: False for t in TAGS}
    record_answers(con, "alice", first[0], no, None, queue="validation")
    assert first[0] not in [i.utterance_id for i in validation_queue(con, "alice")]
    assert queue_kind(con, "bob", first[0]) == "validation"
    record_answers(con, "bob", first[0], no | {"persuasion": True}, None, queue="validation")  # they disagree
    assert queue_kind(con, "bob", first[0]) is None
    assert queue_kind(con, "carol", first[0]) == "adjudication"
    assert validation_queue(con, "carol")[0].utterance_id == first[0]  # disagreements first
    truth = dict(
        con.execute("select tag, status from validation_item_truth where utterance_id = ?", [first[0]]).fetchall()
    )
    assert truth == {
        "persuasion": "needs adjudication",
        "option_discussion": "agreed",
        "preference_elicitation": "agreed",
        "peer_self_disclosure": "agreed",
    }
    record_answers(con, "carol", first[0], no | {"persuasion": True}, None, queue="adjudication")
    assert con.execute(
        "select status, consensus from validation_item_truth where utterance_id = ? and tag = 'persuasion'", [first[0]]
    ).fetchone() == ("adjudicated", True)
    assert queue_kind(con, "erin", first[0]) is None  # decided: nobody else gets it
    progress = validation_progress(con)
    assert (progress.items, progress.rated_twice, progress.needs_adjudication, progress.decided) == (6, 1, 0, 1)
    con.close()


def hand_computed_sample(con) -> list[str]:
    """Nine items of meeting ma: stratum 'a' (u0–u3 and u8, weight 1), stratum 'b' (u4–u7, weight 3).

    persuasion, model:  u0 1  u1 1  u2 0  u3 0 | u4 1  u5 0  u6 0  u7 0
    persuasion, raters: u0 1  u1 0  u2 1  u3 0 | u4 1  u5 1  u6 0  u7 0   (both raters agree)
    u8: the raters disagree on persuasion and nobody adjudicated: left out, pending. Weights come
    from the items decided, not drawn: stratum a (5 utterances) has 4 decided, so 5/4 each; b 12/4.
    Weighted: TP = 1.25 + 3 = 4.25, FP = 1.25, FN = 1.25 + 3 = 4.25, TN = 1.25 + 3 + 3 = 7.25
    (total 17, the population of the two strata), so precision 4.25/5.5, recall 0.5, specificity
    7.25/8.5, F1 = 8.5/14, prevalence 8.5/17 = 0.5, κ = (11.5/17 − 0.5) / (1 − 0.5) = 6/17.
    """
    model = [1, 1, 0, 0, 1, 0, 0, 0, 0]
    truth = [1, 0, 1, 0, 1, 1, 0, 0, None]
    con.execute("update tags set label = false where tag = 'persuasion'")
    for i, m in enumerate(model):
        con.execute(
            "update tags set label = ? where utterance_id = ? and tag = 'persuasion'", [bool(m), f"ma/u{i:05d}"]
        )
    refresh(con, "ma", "mb")
    insert(
        con,
        "validation_samples",
        {
            "sample_id": "v001",
            "seed": 0,
            "n_requested": 9,
            "n_drawn": 9,
            "meetings": ["ma"],
            "tagger_model_version": VERSION,
            "population": 16,
            "design": "hand-made",
        },
    )
    insert(
        con,
        "validation_items",
        *[
            {
                "sample_id": "v001",
                "utterance_id": f"ma/u{i:05d}",
                "meeting_id": "ma",
                "role": "clinician",
                "predicted": "x",
                "stratum": "a" if i < 4 or i == 8 else "b",
                "stratum_size": 5 if i < 4 or i == 8 else 12,
                "stratum_sampled": 5 if i < 4 or i == 8 else 4,
                "weight": 1.0 if i < 4 or i == 8 else 3.0,
                "draw_order": i,
            }
            for i in range(9)
        ],
    )
    ids = [f"ma/u{i:05d}" for i in range(9)]
    for i, value in enumerate(truth):
        others = {t: False for t in TAGS if t != "persuasion"}
        record_answers(con, "alice", ids[i], others | {"persuasion": bool(value)}, None, queue="validation")
        record_answers(
            con,
            "bob",
            ids[i],
            others | {"persuasion": bool(value) if value is not None else True},
            None,
            queue="validation",
        )
    return ids


def test_the_report_gives_the_hand_computed_figures_with_intervals(tmp_path):
    con = build_study(tmp_path / "r.duckdb")
    hand_computed_sample(con)
    report = validation_report(con, n_resamples=500)
    persuasion = next(t for t in report.tags if t.tag == "persuasion")
    assert persuasion.decided == 8 and persuasion.pending == {"needs adjudication": 1}
    got = {name: e.value for name, e in persuasion.model_vs_consensus.items()}
    assert got == pytest.approx(
        {
            "prevalence": 0.5,
            "precision": 4.25 / 5.5,
            "recall": 0.5,
            "specificity": 7.25 / 8.5,
            "f1": 8.5 / 14,
            "kappa": 6 / 17,
        }
    )
    for e in persuasion.model_vs_consensus.values():
        assert e.low <= e.value <= e.high
    # the human ceiling: the two raters agree on all 8 decided items and disagree on u8
    assert persuasion.rater_kappa.n == 9 and persuasion.rater_kappa.value < 1
    # option discussion: the raters said no everywhere, so recall cannot be measured, and it says so
    option = next(t for t in report.tags if t.tag == "option_discussion")
    assert option.model_vs_consensus["recall"].value is None
    assert option.model_vs_consensus["recall"].reason == "no positives in the sample"
    # corrected counts: meeting ma's 30 utterances, 3 tagged persuasion by the model
    (ma,) = persuasion.meetings
    assert (ma["meeting_id"], ma["utterances"], ma["tagged"]) == ("ma", 30, 3)
    # Rogan–Gladen with sensitivity 0.5, specificity 0.853: (0.1 + 0.853 − 1) / 0.353 < 0 → 0
    assert ma["corrected"] == 0.0
    con.close()


def test_items_drawn_but_not_rated_never_make_an_interval_zero_width(tmp_path):
    """The review's case: every utterance drawn (60 of 60), 15 rated. The strata were drawn whole,
    but 45 answers are unknown, so no figure is the population's own and none may read [x, x].
    Rating all 60 makes it a census: then, and only then, each figure is its own interval."""
    import random

    con = build_study(tmp_path / "c.duckdb")
    summary = draw_sample(con, 60, seed=1)
    assert summary.population == summary.drawn == 60
    rnd = random.Random(0)
    items = validation_queue(con, "alice")
    answers = {item.utterance_id: {t: rnd.random() < 0.3 for t in TAGS} for item in items}

    def rate(batch):
        for item in batch:
            for rater in ("alice", "bob"):
                record_answers(con, rater, item.utterance_id, answers[item.utterance_id], None, queue="validation")

    rate(items[:15])
    report = validation_report(con, n_resamples=200)
    shown = 0
    for t in report.tags:
        assert t.decided == 15
        for name, e in t.model_vs_consensus.items():
            if e.value is not None and e.low is not None:
                assert e.low < e.high, (t.tag, name, e)
                shown += 1
    assert shown >= 15
    rate(items[15:])
    report = validation_report(con, n_resamples=200)
    pinned = [
        e.low == e.value == e.high
        for t in report.tags
        for name, e in t.model_vs_consensus.items()
        if name != "kappa" and e.value is not None
    ]
    assert pinned and all(pinned)
    con.close()


def test_status_moves_only_when_an_estimate_is_recorded_and_the_bar_is_met(tmp_path):
    con = build_study(tmp_path / "v.duckdb")
    status = "select validation_status from sdm_persuasion where meeting_id = 'ma' limit 1"
    assert con.execute(status).fetchone() == ("not validated on this study",)
    hand_computed_sample(con)
    # rated, not recorded: in progress, with the items decided out of the study's minimum (100)
    assert con.execute(status).fetchone() == ("validation in progress (8 of 100 rated, sample v001)",)
    # looking at a report changes nothing
    validation_report(con, n_resamples=300)
    assert con.execute(status).fetchone() == ("validation in progress (8 of 100 rated, sample v001)",)
    # recorded on 8 items, fewer than the minimum: still in progress, never "validated"
    store_estimates(con, validation_report(con, n_resamples=300), recorded_by="test")
    assert con.execute(status).fetchone()[0].startswith("validation in progress (8 of 100 rated")
    # a study that accepts 8 items: κ 0.35's lower bound is far below the default bar 0.60
    write_settings(con, min_items_per_tag=8)
    text = con.execute(status).fetchone()[0]
    assert text.startswith("failed validation (bar not met: κ lower bound -") and "< 0.60) on 8 items" in text
    assert ", F1 0.61 [" in text
    # a bar below 0 is refused: κ's lower bound above −1 says nothing
    with pytest.raises(LookupFailed, match="--bar must be between 0 and 1, got -1.0"):
        write_settings(con, bar_low=-1.0)
    # recall's bar met, but κ's lower bound is below 0: never "validated"
    write_settings(con, bar_figure="recall", bar_low=0.0)
    text = con.execute(status).fetchone()[0]
    assert text.startswith("failed validation (bar met: recall lower bound 0.")
    assert ", but κ lower bound -" in text and "is not above 0" in text and "κ 0.35 [-" in text
    # the same bar with κ's lower bound above 0 (a recorded estimate edited to say so)
    con.execute("update validation_estimates set low = 0.05 where tag = 'persuasion' and figure = 'kappa'")
    text = con.execute(status).fetchone()[0]
    assert text.startswith("validated (bar met: recall lower bound 0.")
    assert ">= 0.00; κ lower bound 0.05 > 0) on 8 items (sample v001): κ 0.35 [0.05, " in text
    summary = con.execute("select validation_status from utterances_tagged where meeting_id = 'ma' limit 1").fetchone()[
        0
    ]
    assert "persuasion: validated (bar met" in summary
    assert con.execute("select count(*) from tag_validation_status").fetchone() == (4,)
    assert con.execute("select validation_status from tagger_validation_summary").fetchone() == (summary,)
    rows = con.execute("select status, items_rated, items_needed from tag_validation_status order by tag").fetchall()
    assert ("validated", 8, 8) in rows
    # an empty settings table means the defaults, not every status gone
    con.execute("delete from validation_settings")
    rows = con.execute("select status, items_rated, items_needed from tag_validation_status order by tag").fetchall()
    assert len(rows) == 4 and ("in progress", 8, 100) in rows
    con.close()


def test_settings_are_checked(tmp_path):
    con = build_study(tmp_path / "s.duckdb")
    assert read_settings(con) == ValidationSettings(100, "kappa", 0.6)
    with pytest.raises(LookupFailed, match="unknown bar figure"):
        write_settings(con, bar_figure="accuracy")
    with pytest.raises(LookupFailed, match="at least 1"):
        write_settings(con, min_items_per_tag=0)
    assert read_settings(con) == ValidationSettings(100, "kappa", 0.6)
    con.close()


def test_every_validation_view_is_covered_here():
    source = Path(__file__).read_text()
    views = [
        p.stem
        for p in (Path(__file__).parent.parent / "sql" / "views").glob("*.sql")
        if p.stem.startswith(("validation_", "tag_validation", "tagger_validation"))
    ]
    assert len(views) == 5 and [v for v in views if v not in source] == []  # validation_answers: via the queue


def test_the_cli_samples_and_reports(tmp_path):
    db = tmp_path / "c.duckdb"
    build_study(db).close()
    result = runner.invoke(app, ["validate", "sample", "--n", "8", "--seed", "3", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "sample v001: 8 of 60 utterances" in result.output
    too_many = runner.invoke(app, ["validate", "sample", "--n", "999", "--db", str(db)])
    assert too_many.exit_code == 1 and "is more than the 60 utterances" in too_many.output
    report = runner.invoke(app, ["validate", "report", "--format", "json", "--resamples", "200", "--db", str(db)])
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)
    assert data["sample_id"] == "v001" and [t["tag"] for t in data["tags"]] == list(TAGS)
    # nobody has rated yet: every figure is undefined, with the reason, and nothing crashes
    assert data["tags"][0]["model_vs_consensus"]["kappa"]["value"] is None
    assert data["tags"][0]["rater_kappa"]["reason"]
    html = runner.invoke(
        app,
        [
            "validate",
            "report",
            "--format",
            "html",
            "--output",
            str(tmp_path / "r.html"),
            "--resamples",
            "200",
            "--db",
            str(db),
        ],
    )
    assert html.exit_code == 0 and "<table>" in (tmp_path / "r.html").read_text()
    assert "validation in progress (0 of 100 rated, sample v001)" in (tmp_path / "r.html").read_text()
    recorded = runner.invoke(app, ["validate", "record", "--by", "me", "--resamples", "200", "--db", str(db)])
    assert recorded.exit_code == 0 and "persuasion: validation in progress (0 of 100 rated" in recorded.output
    settings = runner.invoke(app, ["validate", "settings", "--bar-figure", "f1", "--bar", "0.7", "--db", str(db)])
    assert settings.exit_code == 0 and "lower 95 % bound of f1 >= 0.70" in " ".join(settings.output.split())


def test_the_review_app_serves_the_validation_queue_blind(tmp_path):
    import re

    from review_server import csrf_token, login, serve

    from dialogic.review.app import create_app
    from dialogic.store.raters import add_rater

    con = build_study(tmp_path / "app.duckdb")
    draw_sample(con, 4, seed=2)
    for name in ("alice", "bob"):
        add_rater(con, name, f"{name}-password-123")
    con.close()
    app = create_app(tmp_path / "app.duckdb")
    with serve(app) as base_url:
        client, csrf = login(base_url, "alice", "alice-password-123")
        page = client.get("/validation").text
        assert "0 of 4 items rated by two raters" in page
        first = client.get("/validation/next").headers["location"]
        item = client.get(first).text
        assert "the model's view is hidden" in item and "threshold" not in item  # blind: no probabilities
        answers = {f"answer_{t}": "no" for t in TAGS} | {"csrf_token": csrf_token(item)}
        assert client.post(first, data=answers | {"answer_persuasion": ""}).status_code == 400  # every tag needed
        assert "Is the speaker shown right?" in item
        bad = client.post(first, data=answers | {"speaker_right": "yes", "misheard_words": "99"})
        assert bad.status_code == 400 and "misheard words must be between 0 and" in bad.text
        check = {"speaker_right": "no", "right_participant": "su", "misheard_words": "1"}
        saved = client.post(first, data=answers | check)
        assert saved.status_code == 303 and saved.headers["location"] == "/validation/next"
        assert client.get(first).status_code == 404  # rated: no longer hers to rate
        assert client.post(first, data=answers).status_code == 404
        bob, _ = login(base_url, "bob", "bob-password-123")
        assert first.removeprefix("/validation/item/") in re.findall(
            r'href="/validation/item/([^"]+)"', bob.get("/validation").text
        )
        with app.state.store.reading() as con:
            assert con.execute("select distinct queue from ratings").fetchall() == [("validation",)]
            assert con.execute(
                "select speaker_right, right_participant_id, misheard_words from transcript_checks"
            ).fetchall() == [(False, "su", 1)]


def test_meeting_scores_and_the_option5_icc(tmp_path):
    from dialogic.store.validation import record_meeting_score
    from dialogic.validation.meetings import option5_agreement

    con = build_study(tmp_path / "o5.duckdb")
    empty = option5_agreement(con)
    assert empty["proxy_vs_raters"].value is None and empty["proxy_vs_raters"].reason == "fewer than 2 targets"
    proxy = dict(con.execute("select meeting_id, score_0_100 from sdm_option5_proxy").fetchall())
    assert set(proxy) == {"ma", "mb"}
    # alice and bob score both meetings; a score out of range or for an unknown meeting is refused
    record_meeting_score(con, "alice", "ma", [4, 3, 2, 1, 0])
    record_meeting_score(con, "alice", "ma", [1, 1, 1, 1, 1])  # a changed score: the latest counts
    record_meeting_score(con, "alice", "mb", [3, 3, 3, 3, 3])
    record_meeting_score(con, "bob", "ma", [1, 2, 1, 1, 1])
    record_meeting_score(con, "bob", "mb", [4, 3, 3, 3, 3])
    with pytest.raises(LookupFailed, match="five items, each a whole number from 0 to 4"):
        record_meeting_score(con, "bob", "ma", [5, 0, 0, 0, 0])
    with pytest.raises(LookupFailed, match="no meeting 'nope'"):
        record_meeting_score(con, "bob", "nope", [0, 0, 0, 0, 0])
    scores = con.execute(
        "select rater_id, meeting_id, score_0_100 from meeting_option5_scores order by 1, 2"
    ).fetchall()
    assert scores == [("alice", "ma", 25), ("alice", "mb", 75), ("bob", "ma", 30), ("bob", "mb", 80)]
    from dialogic.validation.reliability import icc_a1

    got = option5_agreement(con)
    raters = icc_a1(np.array([[25, 30], [75, 80]], dtype=float))
    assert got["rater_vs_rater"].value == pytest.approx(raters.value) and got["rater_vs_rater"].n == 2
    expected = icc_a1(np.array([[proxy["ma"], 27.5], [proxy["mb"], 77.5]], dtype=float))
    assert got["proxy_vs_raters"].value == pytest.approx(expected.value) and got["proxy_vs_raters"].n == 2
    con.close()


def test_a_rater_scores_a_meeting_in_the_review_app(tmp_path):
    from review_server import csrf_token, login, serve

    from dialogic.review.app import create_app
    from dialogic.store.raters import add_rater

    con = build_study(tmp_path / "ms.duckdb")
    add_rater(con, "alice", "alice-password-123")
    con.close()
    app = create_app(tmp_path / "ms.duckdb")
    with serve(app) as base_url:
        client, _ = login(base_url, "alice", "alice-password-123")
        assert 'href="/validation/meeting/ma"' in client.get("/validation").text
        form = client.get("/validation/meeting/ma").text
        token = csrf_token(form)
        bad = client.post("/validation/meeting/ma", data={"csrf_token": token, "item1": "2"})
        assert bad.status_code == 400 and "Score every item" in bad.text
        items = {f"item{i}": str(i - 1) for i in range(1, 6)}
        saved = client.post("/validation/meeting/ma", data={"csrf_token": token, **items})
        assert saved.status_code == 303
        assert "ma</a> · scored by you" in client.get("/validation").text
        assert client.get("/validation/meeting/nope").status_code == 404
        with app.state.store.reading() as cur:
            assert cur.execute("select score_0_100 from meeting_option5_scores").fetchall() == [(50,)]


def test_speaker_and_word_checks_give_attribution_accuracy_and_word_error(tmp_path):
    from dialogic.store.validation import record_transcript_check
    from dialogic.validation.transcripts import transcript_validation

    con = build_study(tmp_path / "t.duckdb")
    ids = hand_computed_sample(con)  # stratum a (weight 1): u0-u3, u8; stratum b (weight 3): u4-u7
    none = transcript_validation(con, "v001", n_resamples=200)
    assert none.speaker_accuracy.value is None and none.speaker_accuracy.reason
    # Every utterance has 4 words ("utterance N of ma"); u1 (weight 1) and u5 (weight 3) have the
    # wrong speaker; u4 (weight 3) has 1 misheard word, u0 (weight 1) 2; u8: the rater cannot tell.
    for i in range(8):
        record_transcript_check(
            con,
            "alice",
            ids[i],
            i not in (1, 5),
            {0: 2, 4: 1}.get(i, 0),
            right_participant_id="su" if i in (1, 5) else None,
        )
    record_transcript_check(con, "alice", ids[8], None, 0)
    with pytest.raises(LookupFailed, match="between 0 and the utterance's 4 words"):
        record_transcript_check(con, "alice", ids[0], True, 5)
    got = transcript_validation(con, "v001", n_resamples=300)
    # speakers: weights of the 8 judged (4 of 5 in a, 4 of 12 in b): 1.25·4 + 3·4 = 17; wrong 1.25 + 3 → 0.75
    assert got.speaker_accuracy.value == pytest.approx(0.75) and got.speaker_accuracy.n == 8
    # words: 9 checked × 4 words, weighted 1·5·4 + 3·4·4 = 68; misheard 1·2 + 3·1 = 5
    assert got.word_error.value == pytest.approx(5 / 68)
    assert got.speaker_accuracy.low <= 0.75 <= got.speaker_accuracy.high
    # every utterance lasts 8 s: misattributed speech in ma = the same weighted share, 4/16
    (ma,) = got.meetings
    assert ma["meeting_id"] == "ma" and ma["misattributed_speech"].value == pytest.approx(0.25)
    report = validation_report(con, n_resamples=200)
    assert report.transcripts.speaker_accuracy.value == pytest.approx(0.75)
    store_estimates(con, report)
    assert con.execute("select value from validation_estimates where figure = 'word_error'").fetchone()[
        0
    ] == pytest.approx(5 / 68)
    figures = dict(con.execute("select figure, value from validation_figures where tag = 'persuasion'").fetchall())
    assert figures["precision"] == pytest.approx(4.25 / 5.5) and figures["kappa"] == pytest.approx(6 / 17)
    con.close()
