"""The transcript editor over HTTP: who may correct, the plain forms, refusals that keep what
was typed, re-tagging, and the consent gate."""

from __future__ import annotations

import re

import pytest
from builders import MODEL_VERSION, build_review_db
from fakes import WordEcho
from review_server import csrf_token, login, serve

from dialogic.errors import ModelError
from dialogic.review.app import create_app
from dialogic.store.raters import set_editor


@pytest.fixture
def fixture_db(tmp_path):
    return build_review_db(tmp_path)


@pytest.fixture
def loaded():
    return []


@pytest.fixture
def app(fixture_db, loaded):
    def loader(version):
        loaded.append(version)
        return WordEcho(model_version=version)

    return create_app(fixture_db.db_path, tagger_loader=loader)


@pytest.fixture
def base_url(app):
    with serve(app) as url:
        yield url


def _editor(app, base_url, fixture_db, name="alice"):
    with app.state.store.locked() as con:
        set_editor(con, name, True)
    return login(base_url, name, fixture_db.passwords[name])


def _one(app, query, params=None):
    with app.state.store.reading() as con:
        return con.execute(query, params or []).fetchall()


def _text(page: str) -> str:
    """A page's text without its tags (the editor wraps every word in its own element)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def _form(page: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form of a page."""
    body = page.split(f'id="{form_id}"')[1].split("</form>")[0]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', body))


def test_only_editors_may_correct(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    page = client.get("/transcripts/m1").text
    assert "Utterance 3 of m1: what" in _text(page) and "needs editor rights" in page
    assert 'id="edit-form"' not in page and "transcript.js" not in page
    refused = client.post(
        "/transcripts/m1", data={"csrf_token": csrf, "kind": "split", "utterance_id": "m1/u00001", "at_word": "2"}
    )
    assert refused.status_code == 403
    assert _one(app, "select count(*) from transcript_revisions") == [(0,)]


def test_an_editor_corrects_with_plain_forms_and_the_edited_utterance_is_tagged_again(
    app, base_url, fixture_db, loaded
):
    client, _ = _editor(app, base_url, fixture_db)
    page = client.get("/correct/m1/u00001").text
    form = _form(page, "form-edit-words")
    assert form["kind"] == "edit_words" and form["return"] == "correct"
    saved = client.post(
        "/transcripts/m1", data=form | {"text": "Utterance 1 of m1: would risperidone help you most this week?"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/transcripts/m1?saved=1&at=m1%2Fu00001"
    assert _one(app, "select text from utterances where utterance_id = 'm1/u00001'") == [
        ("Utterance 1 of m1: would risperidone help you most this week?",)
    ]
    assert _one(app, "select editor, kind, target_ids from transcript_revisions") == [
        ("alice", "edit_words", ["m1/u00001"])
    ]
    assert loaded == [MODEL_VERSION]  # the meeting's current tagger, loaded once
    assert _one(
        app,
        "select probability from tags where utterance_id = 'm1/u00001' and tag = 'option_discussion' "
        "and model_version = ?",
        [MODEL_VERSION],
    ) == [(0.9,)]
    shown = client.get(saved.headers["location"]).text
    assert "Correction 1 saved" in shown and 'id="word-error"' in shown
    assert re.search(r"word error rate\s*<strong>\d+\.\d %</strong>", shown)

    # split, reassign a word range to a new speaker, merge: each with its own plain form
    page = client.get("/correct/m1/u00002").text
    client.post("/transcripts/m1", data=_form(page, "form-split") | {"at_word": "4"})
    page = client.get("/correct/m1/u00003").text
    reassign = _form(page, "form-reassign") | {
        "speaker_label": "__new__",
        "new_speaker": "Robin's brother",
        "from_word": "0",
        "to_word": "3",
    }
    assert client.post("/transcripts/m1", data=reassign).status_code == 303
    page = client.get("/correct/m1/u00005").text
    assert client.post("/transcripts/m1", data=_form(page, "form-merge")).status_code == 303
    rows = _one(
        app,
        "select utterance_id, speaker_label, text from utterances where meeting_id = 'm1' "
        "and utterance_index between 2 and 7 order by utterance_index",
    )
    assert rows == [
        ("m1/u00002", "SPEAKER_02", "Utterance 2 of m1:"),
        ("m1/r2.1", "SPEAKER_02", "what would help you most this week?"),
        ("m1/u00003", "Robin's brother", "Utterance 3 of"),
        ("m1/r3.1", "SPEAKER_00", "m1: what would help you most this week?"),
        ("m1/u00004", "SPEAKER_01", "Utterance 4 of m1: what would help you most this week?"),
        (
            "m1/u00005",
            "SPEAKER_02",
            "Utterance 5 of m1: what would help you most this week? Utterance 6 of m1: "
            "what would help you most this week?",
        ),
    ]
    assert _one(app, "select count(*) from speakers where speaker_label = 'Robin''s brother'") == [(1,)]
    assert "Robin&#39;s brother" in client.get("/transcripts/m1").text


def test_a_refused_correction_says_why_and_keeps_what_was_typed(app, base_url, fixture_db):
    client, csrf = _editor(app, base_url, fixture_db)
    bob, _ = _editor(app, base_url, fixture_db, "bob")
    page = client.get("/correct/m1/u00001").text
    stale = _form(page, "form-edit-words")
    # bob changes the utterance after alice opened it
    bob_form = _form(bob.get("/correct/m1/u00001").text, "form-edit-words")
    assert bob.post("/transcripts/m1", data=bob_form | {"text": "bob's words"}).status_code == 303
    refused = client.post("/transcripts/m1", data=stale | {"text": "alice typed this carefully"})
    assert refused.status_code == 400
    assert "changed by someone else" in refused.text and ">alice typed this carefully</textarea>" in refused.text
    assert _one(app, "select text from utterances where utterance_id = 'm1/u00001'") == [("bob's words",)]

    fresh = _form(client.get("/correct/m1/u00001").text, "form-split")
    bad_split = client.post("/transcripts/m1", data=fresh | {"at_word": "0"})
    assert bad_split.status_code == 400 and "cannot split before word 0" in bad_split.text
    taken = client.post(
        "/transcripts/m1",
        data={"csrf_token": csrf, "kind": "rename_speaker", "speaker_label": "SPEAKER_01", "new_label": "SPEAKER_00"},
    )
    assert taken.status_code == 400 and "already" in taken.text
    assert 'value="SPEAKER_00"' in taken.text  # the typed name is still in its field
    odd = client.post(
        "/transcripts/m1",
        data=_form(client.get("/correct/m1/u00004").text, "form-reassign")
        | {"speaker_label": "__new__", "new_speaker": "SPEAKER_07"},
    )
    assert odd.status_code == 400 and "looks like a diarisation label" in odd.text
    assert _one(app, "select count(*) from transcript_revisions") == [(1,)]


def test_a_correction_is_not_saved_when_its_tagger_cannot_be_loaded(fixture_db):
    def unavailable(version):
        raise ModelError(f"no tagger model {version!r} here")

    app = create_app(fixture_db.db_path, tagger_loader=unavailable)
    with serve(app) as url:
        client, _ = _editor(app, url, fixture_db)
        form = _form(client.get("/correct/m1/u00001").text, "form-edit-words")
        refused = client.post("/transcripts/m1", data=form | {"text": "new words"})
        assert refused.status_code == 400 and "cannot be loaded here" in refused.text
        assert _one(app, "select count(*) from transcript_revisions") == [(0,)]


def test_the_editor_shows_and_corrects_only_meetings_whose_consent_covers_review(app, base_url, fixture_db):
    client, csrf = _editor(app, base_url, fixture_db)
    with app.state.store.locked() as con:
        con.execute("update meetings set consent_scope = ['transcribe', 'analyse'] where meeting_id = 'm2'")
    listing = client.get("/transcripts").text
    assert "/transcripts/m1" in listing and "/transcripts/m2" not in listing
    assert client.get("/transcripts/m2").status_code == 404
    assert client.get("/correct/m2/u00000").status_code == 404
    posted = client.post(
        "/transcripts/m2", data={"csrf_token": csrf, "kind": "split", "utterance_id": "m2/u00000", "at_word": "2"}
    )
    assert posted.status_code == 404
    assert _one(app, "select count(*) from transcript_revisions") == [(0,)]
    assert csrf_token(client.get("/transcripts/m1").text) == csrf
