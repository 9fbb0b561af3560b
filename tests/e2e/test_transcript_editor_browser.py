"""End to end in a real headless Chromium with the real tagger: an editor corrects a transcript
with the keyboard only — a reassignment, a word edit, a split and a merge — and the database,
the tags, the word error rate and the JSON export all follow. Set DIALOGIC_DOCS_SCREENSHOT=1 to
refresh docs/img/transcript-editor.png from this run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import MODEL_VERSION, build_review_db, probability_for
from docs_shots import docs_shot
from review_server import serve

from dialogic.db import connect
from dialogic.export import export_meeting
from dialogic.review.app import create_app
from dialogic.store.raters import set_editor
from dialogic.tagging.codebook import TAGS

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.models,  # edited utterances are tagged again by the real dialogic-tagger-v1
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]

NEW_WORDS = "Utterance 2 of m1: would risperidone help you most this week?"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield browser
        browser.close()


def _open_editor_as_alice(browser, base_url: str, fixture):
    """A page on meeting m1's editor after alice logs in from it, and the list its console
    errors go to."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base_url}/transcripts/m1")
    page.locator("input[name=rater]").fill("alice")
    page.locator("input[name=password]").fill(fixture.passwords["alice"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/transcripts/m1")
    return page, console_errors


def test_an_editor_corrects_a_transcript_with_the_keyboard(tmp_path, browser):
    from playwright.sync_api import expect

    fixture = build_review_db(tmp_path)
    app = create_app(fixture.db_path)
    with app.state.store.locked() as con:
        set_editor(con, "alice", True)

    with serve(app) as base_url:
        page, console_errors = _open_editor_as_alice(browser, base_url, fixture)
        current = page.locator("#transcript li.current")
        expect(current).to_have_attribute("data-id", "m1/u00000")

        # Space plays the utterance, and the word being said is marked as the audio goes
        page.keyboard.press("Space")
        page.wait_for_selector("#transcript li.current .w.playing", timeout=15000)
        page.keyboard.press("Space")

        def saved(n: int) -> None:
            page.wait_for_url(f"**/transcripts/m1?saved={n}**", timeout=120000)
            expect(page.locator("#saved")).to_have_text(f"Correction {n} saved.")

        # 1. reassign: u00001 (SPEAKER_01) was said by the clinician's speaker, the first choice
        page.keyboard.press("j")
        expect(current).to_have_attribute("data-id", "m1/u00001")
        page.keyboard.press("r")
        expect(page.locator("#speaker-chooser")).to_be_visible()
        page.keyboard.press("1")
        saved(1)
        expect(current).to_have_attribute("data-speaker", "SPEAKER_00")

        # 2. edit words of u00002
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        expect(page.locator("#edit-text")).to_be_focused()
        page.keyboard.press("Control+a")
        page.keyboard.type(NEW_WORDS)
        page.keyboard.press("Enter")  # shows the change and asks
        expect(page.locator("#confirm-text")).to_contain_text("would risperidone help you most")
        page.keyboard.press("Enter")
        saved(2)
        expect(current).to_have_attribute("data-id", "m1/u00002")
        expect(current.locator(".w.typed")).to_have_text("risperidone")

        # 3. split u00003 before its fifth word ("what"): the caret moves with the arrow keys
        page.keyboard.press("j")
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        expect(current.locator(".w.caret")).to_have_text("what")
        page.keyboard.press("s")
        saved(3)

        # 4. merge u00004 with u00005: down past the split-off part and u00003's first part
        page.keyboard.press("j")
        page.keyboard.press("j")
        expect(current).to_have_attribute("data-id", "m1/u00004")
        page.keyboard.press("m")
        expect(page.locator("#confirm")).to_be_visible()
        page.keyboard.press("Enter")
        saved(4)

        # 5. the first two words of the merged utterance were someone new's: Shift selects them
        page.keyboard.press("Shift+ArrowRight")
        expect(current.locator(".w.selected")).to_have_count(2)
        page.keyboard.press("r")
        expect(page.locator("#chooser-what")).to_have_text("the selected words")
        page.keyboard.press("n")
        page.keyboard.type("Robin's brother")
        page.keyboard.press("Enter")
        saved(5)
        expect(current).to_have_attribute("data-speaker", "Robin's brother")
        assert not console_errors, console_errors
        page.keyboard.press("j")
        page.keyboard.press("Shift+ArrowRight")  # a word range selected, as for a reassignment
        docs_shot(page, "transcript-editor.png", tmp_path, full_page=False)

    con = connect(fixture.db_path)  # the app closed its connection when it stopped
    try:
        revisions = con.execute(
            "select editor, kind, target_ids from transcript_revisions order by revision_id"
        ).fetchall()
        assert revisions == [
            ("alice", "reassign", ["m1/u00001"]),
            ("alice", "edit_words", ["m1/u00002"]),
            ("alice", "split", ["m1/u00003"]),
            ("alice", "merge", ["m1/u00004", "m1/u00005"]),
            ("alice", "reassign", ["m1/u00004"]),
        ]
        rows = con.execute(
            "select utterance_id, speaker_label, text, revision_id from utterances where meeting_id = 'm1' "
            "order by utterance_index"
        ).fetchall()
        text = "Utterance {} of m1: what would help you most this week?"
        assert rows[:8] == [
            ("m1/u00000", "SPEAKER_00", text.format(0), None),
            ("m1/u00001", "SPEAKER_00", text.format(1), 1),
            ("m1/u00002", "SPEAKER_02", NEW_WORDS, 2),
            ("m1/u00003", "SPEAKER_00", "Utterance 3 of m1:", 3),
            ("m1/r3.1", "SPEAKER_00", "what would help you most this week?", 3),
            ("m1/u00004", "Robin's brother", "Utterance 4", 5),
            ("m1/r5.1", "SPEAKER_01", text.format(4)[len("Utterance 4 ") :] + " " + text.format(5), 5),
            ("m1/u00006", "SPEAKER_00", text.format(6), None),
        ]

        # tags: the edited utterances carry the real tagger's output on their new text and
        # speaker role; an untouched one keeps its stored probabilities
        tagger = app.state.taggers[MODEL_VERSION]
        edited = ["m1/u00001", "m1/u00002", "m1/u00003", "m1/r3.1", "m1/u00004", "m1/r5.1"]
        roles = dict(
            con.execute(
                "select u.utterance_id, r.role from utterances u "
                "left join compute_speaker_roles('m1') r using (meeting_id, speaker_label) where u.meeting_id = 'm1'"
            ).fetchall()
        )
        texts = dict((r[0], r[2]) for r in rows)
        expected = tagger.predict([texts[u] for u in edited], [roles[u] for u in edited])
        for uid, probabilities in zip(edited, expected):
            stored = dict(
                con.execute(
                    "select tag, probability from tags where utterance_id = ? and model_version = ?",
                    [uid, MODEL_VERSION],
                ).fetchall()
            )
            # bf16 arithmetic differs a little with the batch an utterance was padded into; the
            # fixture's own probabilities (0.03 + 0.05 k) are far from these
            assert stored == pytest.approx({t: min(1.0, max(0.0, probabilities[t])) for t in TAGS}, abs=2e-3), uid
            assert stored != {t: probability_for("m1", int(uid[-1]), n) for n, t in enumerate(TAGS)}
        assert con.execute("select speech_s from speakers where speaker_label = 'Robin''s brother'").fetchone() == (
            0.0,
        )
        untouched = dict(con.execute("select tag, probability from tags where utterance_id = 'm1/u00006'").fetchall())
        assert untouched == {t: probability_for("m1", 6, n) for n, t in enumerate(TAGS)}
        assert con.execute("select count(*) from tags where utterance_id = 'm1/u00005'").fetchone() == (0,)

        # the word error rate of the machine's transcript against the corrected one: "what" was
        # made up and "risperidone" missed (a split, a merge and a new speaker change no word)
        wer = con.execute(
            "select reference_words, machine_words, hits, substitutions, deletions, insertions, wer, revisions "
            "from transcript_word_error_rate where meeting_id = 'm1'"
        ).fetchone()
        assert wer[:6] == (110, 110, 109, 0, 1, 1) and wer[6] == pytest.approx(2 / 110) and wer[7] == 5

        exported = json.loads(export_meeting(con, "m1", "json"))
    finally:
        con.close()
    by_id = {u["id"]: u for u in exported["utterances"]}
    assert by_id["m1/u00002"]["text"] == NEW_WORDS
    assert [w["word"] for w in by_id["m1/u00002"]["words"]][4:6] == ["would", "risperidone"]
    assert (by_id["m1/u00001"]["speaker"], by_id["m1/u00001"]["role"]) == ("SPEAKER_00", "clinician")
    assert by_id["m1/r3.1"]["text"] == "what would help you most this week?" and "m1/u00005" not in by_id


def test_an_editor_undoes_and_redoes_a_correction_from_the_keyboard_and_the_history(tmp_path, browser):
    from playwright.sync_api import expect

    fixture = build_review_db(tmp_path)
    app = create_app(fixture.db_path)
    with app.state.store.locked() as con:
        set_editor(con, "alice", True)
        before = con.execute(
            "select utterance_id, speaker_label, text from utterances where meeting_id = 'm1' order by utterance_index"
        ).fetchall()

    with serve(app) as base_url:
        page, console_errors = _open_editor_as_alice(browser, base_url, fixture)
        current = page.locator("#transcript li.current")
        expect(page.locator("#revisions")).to_contain_text("No corrections yet.")

        def saved(n: int) -> None:
            page.wait_for_url(f"**/transcripts/m1?saved={n}**", timeout=120000)
            expect(page.locator("#saved")).to_have_text(f"Correction {n} saved.")

        # m asks first; Esc leaves everything as it was
        page.keyboard.press("j")
        page.keyboard.press("m")
        expect(page.locator("#confirm-text")).to_contain_text("Merge this utterance with the next one")
        page.keyboard.press("Escape")
        expect(page.locator("#confirm")).to_be_hidden()
        page.keyboard.press("m")
        page.keyboard.press("Enter")
        saved(1)
        expect(page.locator("#transcript li.utterance")).to_have_count(len(before) - 1)

        # u undoes the newest correction, after asking; the history keeps both
        page.keyboard.press("u")
        expect(page.locator("#confirm-text")).to_contain_text("Undo correction #1 (merge)")
        page.keyboard.press("Enter")
        saved(2)
        expect(page.locator("#transcript li.utterance")).to_have_count(len(before))
        expect(page.locator("#revision-2")).to_contain_text("undo of #1")
        expect(page.locator("#revision-1")).to_contain_text("undone by #2")
        expect(page.locator("#revision-1 button")).to_have_count(0)
        expect(current).to_have_attribute("data-id", "m1/u00001")
        docs_shot(page.locator("#revisions"), "transcript-history.png", tmp_path)

        # the history's Redo puts the merge back
        page.locator("#revision-2 button").click()
        saved(3)
        expect(page.locator("#transcript li.utterance")).to_have_count(len(before) - 1)
        assert not console_errors, console_errors

    con = connect(fixture.db_path)
    try:
        assert con.execute("select kind, target_ids from transcript_revisions order by revision_id").fetchall() == [
            ("merge", ["m1/u00001", "m1/u00002"]),
            ("revert", ["revision 1"]),
            ("revert", ["revision 2"]),
        ]
        merged = con.execute("select text from utterances where utterance_id = 'm1/u00001'").fetchone()[0]
        assert merged == before[1][2] + " " + before[2][2]
    finally:
        con.close()
