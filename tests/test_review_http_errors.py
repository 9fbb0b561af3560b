"""The review app maps dialogic's errors to HTTP statuses by their class, in one table; where one
handler must tell two lookups apart (an answer that does not fit its item, an item that is not the
rater's), the error's class says which, never its message."""

from __future__ import annotations

import pytest
from builders import build_study
from review_server import csrf_token, login, serve

from dialogic.errors import AnswerRefused, AudioError, EditRefused, LookupFailed, StoreError
from dialogic.review.app import create_app
from dialogic.review.views.base import status_for
from dialogic.store.raters import add_rater
from dialogic.store.validation import record_transcript_check
from dialogic.tagging.codebook import TAGS
from dialogic.validation.sample import draw_sample


class _NoSuchClip(LookupFailed):
    """A lookup failure the table does not list: it takes its parent's status."""


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (LookupFailed("no meeting 'x'"), 404),
        (AnswerRefused("meeting ma: no participant 'ghost'"), 400),
        (EditRefused("the utterance changed since the editor loaded it"), 409),
        (AudioError("ma.wav is missing"), 404),
        (_NoSuchClip("no clip 3"), 404),
        (StoreError("the database is locked"), 500),  # not one a view expects: a server error
    ],
)
def test_each_error_class_has_one_status(error, status):
    assert status_for(error) == status


def test_the_status_does_not_depend_on_the_message():
    # the words the app once matched on, in a plain lookup failure: still "not found"
    assert status_for(LookupFailed("misheard words: no participant")) == 404
    assert status_for(AnswerRefused("no utterance 'u9'")) == 400


def test_a_check_that_does_not_fit_its_item_is_refused_as_an_answer(tmp_path):
    con = build_study(tmp_path / "s.duckdb")
    utterance_id = con.execute("select utterance_id from utterances where meeting_id = 'ma' limit 1").fetchone()[0]
    with pytest.raises(AnswerRefused, match="no participant 'ghost'"):
        record_transcript_check(con, "alice", utterance_id, False, 0, "ghost")
    with pytest.raises(AnswerRefused, match="misheard words must be between 0 and"):
        record_transcript_check(con, "alice", utterance_id, True, 99)
    with pytest.raises(LookupFailed, match="no utterance") as unknown:
        record_transcript_check(con, "alice", "nope", True, 0)
    assert not isinstance(unknown.value, AnswerRefused)


def test_a_refused_validation_answer_shows_the_form_again_and_an_item_not_hers_is_not_found(tmp_path):
    con = build_study(tmp_path / "app.duckdb")
    draw_sample(con, 4, seed=2)
    add_rater(con, "alice", "alice-password-123")
    con.close()
    with serve(create_app(tmp_path / "app.duckdb")) as base_url:
        client, _ = login(base_url, "alice", "alice-password-123")
        first = client.get("/validation/next").headers["location"]
        form = {f"answer_{t}": "no" for t in TAGS} | {"csrf_token": csrf_token(client.get(first).text)}
        wrong = form | {"speaker_right": "no", "right_participant": "ghost", "misheard_words": "0", "note": "kept"}
        refused = client.post(first, data=wrong)
        assert refused.status_code == 400
        assert "no participant &#39;ghost&#39;" in refused.text and ">kept</textarea>" in refused.text
        too_many = client.post(first, data=form | {"speaker_right": "yes", "misheard_words": "99"})
        assert too_many.status_code == 400 and "misheard words must be between 0 and" in too_many.text
        # nothing was recorded: the item is still hers to answer
        assert client.get(first).status_code == 200
        # a lookup failure in the same handler that is not about the answer: not found
        not_hers = client.post("/validation/item/nope", data=wrong)
        assert not_hers.status_code == 404 and "not in your validation queue" in not_hers.text
