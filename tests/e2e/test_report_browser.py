"""The reports in a real headless Chromium, opened from file:// as a researcher opens them.

Uses Debian's /usr/bin/chromium (Playwright's own browser download is not available here).
Set DIALOGIC_DOCS_SCREENSHOT=1 (make screenshots) to refresh the tour's report images (tests/docs_shots.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import add_validation_estimates, build_report_study
from docs_shots import docs_shot

from dialogic.report import write_all_reports

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]

# Load the evidence utterance's audio as the <audio> element would, and say where playback starts.
_LOAD_AUDIO = """async (utteranceId) => {
    const audio = document.querySelector(`audio[data-utterance="${utteranceId}"]`);
    audio.preload = 'metadata';
    await new Promise((resolve, reject) => {
        audio.addEventListener('loadedmetadata', resolve, {once: true});
        audio.addEventListener('error', () => reject(new Error('audio error ' + (audio.error && audio.error.code))), {once: true});
        setTimeout(() => reject(new Error('no metadata after 10 s')), 10000);
        audio.load();
    });
    return [audio.duration, audio.currentTime];
}"""


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
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


def _watch(page) -> tuple[list[str], list[str]]:
    """Every URL the page asks for, and every console error (a CSP violation is one)."""
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return requests, errors


def test_reports_render_offline_with_plots_time_links_and_audio(tmp_path, browser):
    from playwright.sync_api import expect

    db = tmp_path / "study.duckdb"
    con = build_report_study(db, audio_dir=tmp_path / "audio")
    add_validation_estimates(con)
    summary = write_all_reports(con, tmp_path / "reports", database_dir=db.parent)
    con.close()
    assert not summary.failed

    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    requests, errors = _watch(page)

    # The request log catches a page that reaches for the network (so its silence below means something).
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><img src="http://127.0.0.1:9/pixel.png">')
    page.goto(control.as_uri())
    page.wait_for_load_state("load")
    assert any(url.startswith("http://127.0.0.1:9/") for url in requests)
    requests.clear()
    errors.clear()

    page.goto(summary.meeting_paths["ma"].as_uri())
    page.wait_for_load_state("load")
    plots = page.locator("svg.plot")
    assert [plots.nth(i).get_attribute("data-plot") for i in range(plots.count())] == [
        "timeline",
        "voice-share",
        "window-share",
        "role-transitions",
        "tags-over-time",
        "option5",
    ]
    for i in range(plots.count()):
        box = plots.nth(i).bounding_box()
        assert box["width"] > 300 and box["height"] > 100, (plots.nth(i).get_attribute("data-plot"), box)
    # drawn, not just present: a bar per utterance on the timeline, and the voices' names as text
    timeline = page.locator('svg[data-plot="timeline"]')
    assert timeline.locator("path").count() >= 30
    assert "doc (clinician)" in timeline.text_content() and "su (service user)" in timeline.text_content()
    expect(page.locator("#tag-status")).to_contain_text("on 280 items (sample v001): κ 0.71 [0.62, 0.79]")

    # an evidence utterance's time goes to its row in the transcript
    link = page.locator("#item1 + ol li", has_text="alert").locator("a.time-link")
    target = link.get_attribute("href")
    link.click()
    assert target == "#t-3" and page.url.endswith(target)
    expect(page.locator(f"tr{target}")).to_be_in_viewport()
    expect(page.locator(f"tr{target}")).to_contain_text('<script>alert("x")</script>')

    # the audio element reaches the meeting's WAV through the relative link and starts at the utterance
    duration_s, start_s = page.evaluate(_LOAD_AUDIO, "ma/u00003")
    assert duration_s == pytest.approx(300.0, abs=0.01)
    assert start_s == pytest.approx(30.0, abs=0.05)

    page.evaluate("window.scrollTo(0, 0)")
    docs_shot(page, "report-meeting.png", tmp_path)

    # the study report: its plots, and a link to each meeting's report
    page.goto(summary.study_path.as_uri())
    page.wait_for_load_state("load")
    assert page.locator("svg.plot").count() == 9
    for i in range(9):
        assert page.locator("svg.plot").nth(i).bounding_box()["height"] > 100
    docs_shot(page.locator("#voice-share"), "report-study-voice-share.png", tmp_path)
    expect(page.locator("#meeting-index")).not_to_contain_text("mc")
    page.locator("#meeting-index a", has_text="md").click()
    page.wait_for_load_state("load")
    assert page.url == summary.meeting_paths["md"].as_uri()
    expect(page.locator("h1")).to_have_text("Meeting md")

    assert all(url.startswith(("file://", "data:")) for url in requests), [
        u for u in requests if not u.startswith(("file://", "data:"))
    ]
    assert any(url.endswith("/audio/ma.wav") for url in requests)  # the audio came from the file, not embedded
    assert errors == []
