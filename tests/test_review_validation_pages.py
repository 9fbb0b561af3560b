"""The review app's validation pages over HTTP on a real DuckDB file: the agreement page shows the
validation report's own figures, each rater has their own random order, items come with their
context, and a speaker-check item asks who spoke without the tags."""

from __future__ import annotations

import re

import pytest
from builders import PASSWORDS, build_review_db
from review_server import csrf_token, login, serve

from dialogic.db import connect
from dialogic.review.app import create_app
from dialogic.review.ratings import TAGS
from dialogic.store.ratings import record_answers
from dialogic.store.validation import store_estimates
from dialogic.validation.queue import validation_queue
from dialogic.validation.report import format_estimate, validation_report
from dialogic.validation.sample import draw_sample


@pytest.fixture
def rated(tmp_path):
    """A sample of 10 rated blind by alice and bob, who disagree on persuasion twice."""
    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    draw_sample(con, 10, seed=2)
    items = [i.utterance_id for i in validation_queue(con, "alice")]
    for k, uid in enumerate(items):
        answers = {t: (k + j) % 3 == 0 for j, t in enumerate(TAGS)}
        record_answers(con, "alice", uid, answers, None, queue="validation")
        bob = answers | ({"persuasion": not answers["persuasion"]} if k in (1, 4) else {})
        record_answers(con, "bob", uid, bob, None, queue="validation")
    con.close()
    return fixture


def test_the_agreement_page_shows_the_reports_figures_and_says_which_to_quote(rated):
    con = connect(rated.db_path)
    report = validation_report(con)
    con.close()
    with serve(create_app(rated.db_path)) as url:
        client, _ = login(url, "carol", PASSWORDS["carol"])
        page = client.get("/agreement").text
    assert "live, not recorded" in page and "do not quote them" in page and "quote this" not in page
    # one κ per rater pair: the calibration table's κ is labelled as such, never "Cohen's κ" beside the other
    assert "<th>Cohen's κ</th>" not in page and "Calibration κ" in page
    for t in report.tags:
        row = re.search(rf'<tr data-tag="{t.tag}">(.*?)</tr>', page, re.S).group(1)

        def shown(cls: str, row: str = row) -> str:
            cell = re.search(rf'<td class="{cls}">(.*?)</td>', row, re.S).group(1)
            return re.sub(r"<[^>]+>", "", cell).strip()

        for cls, estimate in (
            ("model-kappa", t.model_vs_consensus["kappa"]),
            ("f1", t.model_vs_consensus["f1"]),
            ("rater-kappa", t.rater_kappa),
            ("rater-alpha", t.rater_alpha),
        ):
            assert shown(cls) == format_estimate(estimate), (t.tag, cls)
    persuasion = next(t for t in report.tags if t.tag == "persuasion")
    assert persuasion.rater_kappa.value is not None and persuasion.rater_kappa.low < persuasion.rater_kappa.high


def test_each_rater_has_their_own_fixed_random_order(tmp_path):
    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    draw_sample(con, 12, seed=2)
    orders = {r: [i.utterance_id for i in validation_queue(con, r)] for r in ("alice", "bob", "carol")}
    assert sorted(orders["alice"]) == sorted(orders["bob"]) == sorted(orders["carol"])
    assert len({tuple(o) for o in orders.values()}) == 3  # three raters, three orders
    assert [i.utterance_id for i in validation_queue(con, "alice")] == orders["alice"]  # the same on every visit
    draw_sample(con, 12, seed=2)  # the same items in a new sample: a new order
    assert [i.utterance_id for i in validation_queue(con, "alice")] != orders["alice"]


def test_a_validation_item_shows_its_neighbours_and_keys_for_every_field(tmp_path):
    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    draw_sample(con, 6, seed=2)
    item = validation_queue(con, "alice")[0]
    neighbours = con.execute(
        "select text from utterances where meeting_id = ? and utterance_index in "
        "(select utterance_index + d from utterances, (values (-1), (1)) as t(d) where utterance_id = ?)",
        [item.meeting_id, item.utterance_id],
    ).fetchall()
    con.close()
    with serve(create_app(fixture.db_path)) as url:
        client, _ = login(url, "alice", PASSWORDS["alice"])
        page = client.get("/validation/item/" + item.utterance_id).text
    assert neighbours and all(f"{text}</p>" in page for (text,) in neighbours)
    fields = re.search(r'<fieldset class="transcript-check">(.*?)</fieldset>', page, re.S).group(1)
    assert fields.count("<kbd>") == 5  # right / wrong / can't tell, who it was, misheard words


def test_a_speaker_check_item_asks_who_spoke_and_records_no_tags(tmp_path):
    from dialogic.validation.speakers import draw_speaker_sample

    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    draw_speaker_sample(con, 3, seed=1)
    (first, *_) = validation_queue(con, "alice")
    assert first.kind == "speaker check"
    con.close()
    with serve(create_app(fixture.db_path)) as url:
        client, _ = login(url, "alice", PASSWORDS["alice"])
        page = client.get("/validation/item/" + first.utterance_id)
        assert page.status_code == 200 and 'class="tags"' not in page.text and "Speaker check" in page.text
        csrf = csrf_token(page.text)
        refused = client.post("/validation/item/" + first.utterance_id, data={"csrf_token": csrf})
        assert refused.status_code == 400 and "speaker shown is right" in refused.text
        saved = client.post(
            "/validation/item/" + first.utterance_id,
            data={"csrf_token": csrf, "speaker_right": "yes", "misheard_words": "0"},
        )
        assert saved.status_code == 303
    con = connect(fixture.db_path)
    assert con.execute("select count(*) from ratings").fetchone()[0] == 0
    assert con.execute("select rater_id, utterance_id, speaker_right from transcript_checks").fetchall() == [
        ("alice", first.utterance_id, True)
    ]
    assert first.utterance_id not in [i.utterance_id for i in validation_queue(con, "alice")]


def _recorded_rows(page: str) -> dict[str, tuple[str, str, str]]:
    """tag → (status, sentence, recorded κ) of the recorded-status table."""
    table = re.search(r'<table id="recorded-figures">(.*?)</table>', page, re.S).group(1)
    out = {}
    for tag, status, row in re.findall(r'<tr data-tag="([a-z_]+)" data-status="([a-z ]+)">(.*?)</tr>', table, re.S):

        def cell(cls: str, row: str = row) -> str:
            return re.search(rf'<td class="{cls}">(.*?)</td>', row, re.S).group(1).strip()

        out[tag] = (status, cell("status-sentence"), cell("recorded-kappa"))
    return out


def test_both_pages_show_each_tags_recorded_status_and_figures(rated):
    """The app says what views and exports say (tag_validation_status), and only recording moves it."""
    con = connect(rated.db_path)
    before = dict(con.execute("select tag, validation_status from tag_validation_status").fetchall())
    con.close()
    assert len(before) == 4 and all(s.startswith("validation in progress (") for s in before.values())

    def pages() -> tuple[str, str]:
        with serve(create_app(rated.db_path)) as url:
            client, _ = login(url, "carol", PASSWORDS["carol"])
            return client.get("/agreement").text, client.get("/validation").text

    for page in pages():
        rows = _recorded_rows(page)
        assert {tag: sentence for tag, (_, sentence, _) in rows.items()} == before
        assert all(status == "in progress" and kappa == "not recorded" for status, _, kappa in rows.values())
    con = connect(rated.db_path)
    store_estimates(con, validation_report(con, n_resamples=200), recorded_by="test")
    recorded = {
        tag: (value, low, high)
        for tag, value, low, high in con.execute(
            "select tag, kappa, kappa_low, kappa_high from tag_validation_status"
        ).fetchall()
    }
    con.close()
    for page in pages():
        rows = _recorded_rows(page)
        for tag, (value, low, high) in recorded.items():
            shown = rows[tag][2]
            if value is None:
                assert shown == "not recorded"
            else:
                assert shown.startswith(f"{value:.2f}") and (low is None or f"[{low:.2f}, {high:.2f}]" in shown)
        assert any(v is not None for v, _, _ in recorded.values())
