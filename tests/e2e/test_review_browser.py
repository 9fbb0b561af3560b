"""End to end in a real headless Chromium: a rater logs in and works from the keyboard only.

Uses Debian's /usr/bin/chromium (Playwright's own browser download is not available here).
Set DIALOGIC_DOCS_SCREENSHOT=1 to refresh docs/img/review-item.png from this run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build_review_db
from docs_shots import docs_shot
from review_server import serve

from dialogic.db import connect
from dialogic.review.app import create_app
from dialogic.review.ratings import TAGS
from dialogic.store.ratings import record_answers

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def test_rater_rates_five_items_with_the_keyboard(tmp_path, browser):
    from playwright.sync_api import expect

    fixture = build_review_db(tmp_path)
    con = connect(fixture.db_path)
    # bob answered everything already, so alice's answers create rater-pair figures.
    for utterance_id in fixture.utterances["m1"] + fixture.utterances["m2"]:
        record_answers(con, "bob", utterance_id, {tag: i % 2 == 0 for i, tag in enumerate(TAGS)}, None)
    con.close()
    app = create_app(fixture.db_path)

    with serve(app) as base_url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        console_errors = []
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

        # Log in with the keyboard; the login page sends the rater on to where they were going.
        page.goto(f"{base_url}/agreement")
        assert "/login" in page.url
        # autofocus is applied after load; typing before it lands sends the keys nowhere
        expect(page.locator("input[name=rater]")).to_be_focused()
        page.keyboard.type("alice")
        page.keyboard.press("Tab")
        page.keyboard.type(fixture.passwords["alice"])
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/agreement")
        assert page.locator("#agreement-persuasion .model-rater tr[data-rater=alice]").count() == 0
        assert page.locator("#agreement-persuasion .pairs").inner_text().count("alice") == 0

        page.goto(f"{base_url}/queue")
        docs_shot(page, "review-queue.png", tmp_path)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/item/**")

        # Play the clip: Space starts it; the browser must find a real, non-empty duration.
        page.keyboard.press("Space")
        page.wait_for_function(
            "() => { const a = document.getElementById('utterance-audio');"
            " return a.readyState >= 1 && a.duration > 0 && (a.currentTime > 0 || a.ended); }",
            timeout=15000,
        )
        duration_s = page.evaluate("document.getElementById('utterance-audio').duration")
        assert 1.5 < duration_s < 2.1  # 1.5 s utterance plus 0.15 s padding each side
        page.keyboard.press("Space")  # pause again

        # Answer tag 1 yes, tag 2 no, tag 3 yes, tag 4 no, then Enter — five times.
        page.keyboard.press("1")
        page.keyboard.press("Shift+Digit2")
        page.keyboard.press("3")
        page.keyboard.press("Shift+Digit4")
        docs_shot(page, "review-item.png", tmp_path, full_page=True)

        rated = []
        for n in range(5):
            current = page.url
            rated.append(current.removeprefix(f"{base_url}/item/"))
            if n:
                page.keyboard.press("1")
                page.keyboard.press("Shift+Digit2")
                page.keyboard.press("3")
                page.keyboard.press("Shift+Digit4")
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url, current=current: url != current and "/item/" in url)
        assert len(set(rated)) == 5

        with app.state.store.reading() as cur:
            stored = cur.execute(
                "select utterance_id, tag, value from rating_current where rater_id = 'alice' order by all"
            ).fetchall()
        expected_values = {
            "persuasion": True,
            "option_discussion": False,
            "preference_elicitation": True,
            "peer_self_disclosure": False,
        }
        assert sorted({u for u, _, _ in stored}) == sorted(rated)
        assert len(stored) == 20 and all(value == expected_values[tag] for _, tag, value in stored)

        # The agreement page now counts alice's five answers against the model and against bob.
        page.goto(f"{base_url}/agreement")
        model_row = page.locator("#agreement-persuasion .model-rater tr[data-rater=alice] td.n")
        assert model_row.inner_text() == "5"
        assert "alice · bob" in page.locator("#agreement-persuasion .pairs").inner_text()
        docs_shot(page, "review-agreement.png", tmp_path)
        page.goto(f"{base_url}/speakers/m1")
        expect(page.locator("h1")).to_contain_text("m1")
        docs_shot(page, "review-speakers.png", tmp_path)
        assert not console_errors, console_errors


def test_rater_works_through_the_validation_queue_blind(tmp_path, browser):
    import wave

    import numpy as np
    from builders import build_study
    from playwright.sync_api import expect

    from dialogic.store.raters import add_rater
    from dialogic.validation.sample import draw_sample

    con = build_study(tmp_path / "study.duckdb")
    for meeting in ("ma", "mb"):  # quiet audio for the 300 s the utterances span
        path = tmp_path / f"{meeting}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes((np.random.default_rng(0).normal(0, 300, 16000 * 300)).astype("<i2").tobytes())
        con.execute("update meetings set audio_path = ? where meeting_id = ?", [str(path), meeting])
    draw_sample(con, 6, seed=4)
    add_rater(con, "alice", "alice-password-1")
    con.close()
    app = create_app(tmp_path / "study.duckdb")

    with serve(app) as base_url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        console_errors = []
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{base_url}/validation")
        page.locator("input[name=rater]").fill("alice")
        page.locator("input[name=password]").fill("alice-password-1")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/validation")
        assert "0 of 6 items rated by two raters" in page.locator("#validation-progress").inner_text()
        page.click("#start")
        rated = []
        for _ in range(3):
            page.wait_for_url(f"{base_url}/validation/item/**")
            assert page.locator("th", has_text="Model").count() == 0  # blind
            current = page.url
            rated.append(current.removeprefix(f"{base_url}/validation/item/"))
            if len(rated) == 1:  # the transcript check by keyboard: wrong speaker, who it was, misheard words
                page.keyboard.press("x")
                expect(page.locator("#right-participant")).to_be_focused()
                page.keyboard.press("ArrowDown")
                page.keyboard.press("Escape")
                page.keyboard.press("m")
                page.keyboard.type("1")
                page.keyboard.press("Escape")
                assert page.locator("#speaker-right").input_value() == "no"
                chosen = page.locator("#right-participant").input_value()
                assert chosen and page.locator("#misheard-words").input_value() == "1"
            page.keyboard.press("Shift+Digit1")
            page.keyboard.press("2")
            page.keyboard.press("Shift+Digit3")
            page.keyboard.press("Shift+Digit4")
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url, current=current: url != current)
        with app.state.store.reading() as cur:
            stored = cur.execute(
                "select utterance_id, tag, value, queue from ratings where rater_id = 'alice' order by all"
            ).fetchall()
        assert sorted({u for u, *_ in stored}) == sorted(rated) and len(stored) == 12
        assert {q for *_, q in stored} == {"validation"}
        assert all(value == (tag == "option_discussion") for _, tag, value, _ in stored)
        with app.state.store.reading() as cur:
            checks = cur.execute(
                "select utterance_id, speaker_right, right_participant_id, misheard_words from transcript_checks"
            ).fetchall()
        assert checks == [(rated[0], False, chosen, 1)]
        page.goto(f"{base_url}/validation")
        assert page.locator("table.queue tbody tr").count() == 3  # the other three are still hers to rate
        assert not console_errors, console_errors
