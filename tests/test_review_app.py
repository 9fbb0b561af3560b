"""The review app over HTTP: login, security, queue, item pages, answers and speaker mapping."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
from builders import build_review_db
from review_server import csrf_token, login, serve
from starlette.routing import Mount, Route

from dialogic.review.app import create_app
from dialogic.review.ratings import TAGS

SQLISH = "'); drop table ratings; -- \" or 1=1; select * from raters"


@pytest.fixture
def fixture_db(tmp_path):
    return build_review_db(tmp_path)


@pytest.fixture
def app(fixture_db):
    return create_app(fixture_db.db_path)


@pytest.fixture
def base_url(app):
    with serve(app) as url:
        yield url


def _answers(value: str = "yes") -> dict[str, str]:
    return {f"answer_{tag}": value for tag in TAGS}


def _concrete_paths(app) -> list[tuple[str, str]]:
    """(method, path) for every route, with example values for the path parameters."""
    examples = {
        "utterance_id": "m1/u00000",
        "meeting_id": "m1",
        "speaker_label": "SPEAKER_00",
        "clip_index": "0",
    }
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            found.append(("GET", route.path + "/review.css"))
            continue
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: examples[m.group(1)], route.path)
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path))
    return found


def _ratings(app) -> list[tuple]:
    # Through the app's own connection: DuckDB lets one process open a file only once.
    with app.state.store.reading() as con:
        return con.execute("select rater_id, utterance_id, tag, value, note from ratings order by rating_id").fetchall()


# --- security ------------------------------------------------------------------------------


def test_every_route_refuses_without_login(app, base_url, fixture_db):
    routes = _concrete_paths(app)
    assert len(routes) >= 15  # the test must really cover the app's routes
    with httpx.Client(base_url=base_url, follow_redirects=False) as anonymous:
        for method, path in routes:
            if path == "/login":
                continue
            for accept in ("text/html", "*/*"):
                response = anonymous.request(method, path, headers={"accept": accept}, data={"x": "1"})
                assert response.status_code in (303, 401), (method, path, response.status_code)
                if response.status_code == 303:
                    assert response.headers["location"].startswith("/login?next=")
                assert "Utterance 0" not in response.text
                assert b"RIFF" not in response.content[:4]
    assert _ratings(app) == []


def test_logged_out_session_is_refused(base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    old_cookie = client.cookies["dialogic_session"]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    assert client.get("/queue").status_code == 401
    # The old cookie value is dead on the server, not only deleted in this client.
    with httpx.Client(base_url=base_url, cookies={"dialogic_session": old_cookie}) as replay:
        assert replay.get("/agreement").status_code == 401


def test_wrong_password_is_refused_and_logins_are_rate_limited(base_url, fixture_db):
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        statuses = []
        for _ in range(6):
            token = csrf_token(client.get("/login").text)
            response = client.post("/login", data={"rater": "alice", "password": "wrong-password", "csrf_token": token})
            statuses.append(response.status_code)
            assert "dialogic_session" not in response.cookies
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429
        # Locked out now even with the right password, so guessing cannot go on.
        token = csrf_token(client.get("/login").text)
        response = client.post(
            "/login", data={"rater": "alice", "password": fixture_db.passwords["alice"], "csrf_token": token}
        )
        assert response.status_code == 429


def test_login_form_without_csrf_token_is_refused(base_url, fixture_db):
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        client.get("/login")
        response = client.post("/login", data={"rater": "alice", "password": fixture_db.passwords["alice"]})
        assert response.status_code == 403
        assert "dialogic_session" not in response.cookies


def test_every_form_without_csrf_token_is_refused(app, base_url, fixture_db):
    client, good_token = login(base_url, "alice", fixture_db.passwords["alice"])
    posts = [(m, p) for m, p in _concrete_paths(app) if m == "POST" and p != "/login"]
    assert {p for _, p in posts} >= {"/logout", "/item/m1/u00000", "/api/ratings", "/speakers/m1"}
    for _, path in posts:
        body = _answers() | {"speaker:SPEAKER_01": "p1", "note": "x"}
        assert client.post(path, data=body).status_code == 403, path
        assert client.post(path, data=body | {"csrf_token": good_token + "x"}).status_code == 403, path
    response = client.post("/api/ratings", json={"utterance_id": "m1/u00000", "answers": {"persuasion": True}})
    assert response.status_code == 403
    assert _ratings(app) == []
    assert client.get("/queue").status_code == 200  # the refused logout did not log out


def test_session_cookie_is_httponly_and_samesite_strict(base_url, fixture_db):
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        token = csrf_token(client.get("/login").text)
        response = client.post(
            "/login", data={"rater": "alice", "password": fixture_db.passwords["alice"], "csrf_token": token}
        )
        cookie = next(
            v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("dialogic_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        page = client.get("/queue")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert "http://" not in page.text.replace(base_url, "") and "https://" not in page.text


def test_login_page_inlines_its_stylesheet_under_the_csp_hash(base_url):
    with httpx.Client(base_url=base_url, follow_redirects=False) as anonymous:
        page = anonymous.get("/login")
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None and "/static/" not in page.text  # /static is behind the login
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    assert "<header" not in page.text and '<main class="login">' in page.text


def test_login_redirects_only_to_this_site(base_url, fixture_db):
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        token = csrf_token(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "rater": "alice",
                "password": fixture_db.passwords["alice"],
                "csrf_token": token,
                "next": "//evil.example/x",
            },
        )
        assert response.headers["location"] == "/queue"


def test_sqlish_input_is_stored_as_text(app, base_url, fixture_db):
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        token = csrf_token(client.get("/login").text)
        assert client.post("/login", data={"rater": SQLISH, "password": SQLISH, "csrf_token": token}).status_code == 401
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    response = client.post("/item/m1/u00002", data=_answers() | {"note": SQLISH, "csrf_token": csrf})
    assert response.status_code == 303
    assert client.get("/queue", params={"meeting": SQLISH, "tag": SQLISH}).status_code == 200
    assert client.get("/item/" + SQLISH).status_code == 404
    assert client.post("/speakers/m1", data={"speaker:SPEAKER_01": SQLISH, "csrf_token": csrf}).status_code == 400
    rows = _ratings(app)
    assert len(rows) == 4 and {r[4] for r in rows} == {SQLISH.strip()}
    with app.state.store.reading() as con:
        assert con.execute("select count(*) from raters").fetchone()[0] == 3
        assert (
            con.execute(
                "select participant_id from speakers where meeting_id = 'm1' and speaker_label = 'SPEAKER_01'"
            ).fetchone()[0]
            is None
        )
    item = client.get("/item/m1/u00002").text
    assert "drop table ratings; -- &#34; or 1=1" in item  # shown escaped, as typed


# --- queue and item pages ------------------------------------------------------------------


def _queue_ids(html: str) -> list[str]:
    return re.findall(r'<td><a href="/item/([^"?]+)', html)


def _distance(app, utterance_id: str, tag: str | None = None) -> float:
    with app.state.store.reading() as con:
        return con.execute(
            "select min(abs(probability - threshold)) from tags where utterance_id = ? and (? is null or tag = ?)",
            [utterance_id, tag, tag],
        ).fetchone()[0]


def test_queue_puts_the_least_certain_first_and_filters(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    ids = _queue_ids(client.get("/queue").text)
    assert sorted(ids) == sorted(fixture_db.utterances["m1"] + fixture_db.utterances["m2"])
    distances = [_distance(app, i) for i in ids]
    assert distances == sorted(distances)

    by_tag = _queue_ids(client.get("/queue", params={"tag": "persuasion"}).text)
    tag_distances = [_distance(app, i, "persuasion") for i in by_tag]
    assert tag_distances == sorted(tag_distances) and by_tag != ids

    m2 = _queue_ids(client.get("/queue", params={"meeting": "m2"}).text)
    assert sorted(m2) == fixture_db.utterances["m2"]

    first = ids[0]
    assert client.post("/item/" + first, data=_answers() | {"csrf_token": csrf}).status_code == 303
    unrated = _queue_ids(client.get("/queue", params={"unrated": "1"}).text)
    assert unrated == [i for i in ids if i != first]
    # Another rater's queue is not affected by alice's answers.
    bob, _ = login(base_url, "bob", fixture_db.passwords["bob"])
    assert _queue_ids(bob.get("/queue", params={"unrated": "1"}).text) == ids


def test_submitting_moves_to_the_next_item_in_queue_order(base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    ids = _queue_ids(client.get("/queue").text)
    start = client.get("/next")
    assert start.headers["location"] == f"/item/{ids[0]}"
    saved = client.post(f"/item/{ids[0]}?unrated=1", data=_answers("no") | {"csrf_token": csrf})
    assert saved.status_code == 303
    following = client.get(saved.headers["location"])
    assert following.headers["location"] == f"/item/{ids[1]}?unrated=1"


def test_item_page_shows_context_speaker_role_and_model_probabilities(app, base_url, fixture_db):
    client, _ = login(base_url, "alice", fixture_db.passwords["alice"])
    page = client.get("/item/m1/u00003").text
    assert "Utterance 3 of m1" in page
    assert "Utterance 2 of m1" in page and "Utterance 4 of m1" in page  # previous and next
    # u00003 is SPEAKER_00, mapped to clinician p3: shown by people.display_name, the label on hover
    assert '<span class="speaker" title="SPEAKER_00">p3 (clinician' in page
    assert 'src="/audio/utterance/m1/u00003"' in page
    with app.state.store.reading() as con:
        probability = con.execute(
            "select probability from tags where utterance_id = 'm1/u00003' and tag = 'persuasion'"
        ).fetchone()[0]
    assert f"{probability:.2f}" in page
    assert "/static/item.js" in page and "Shift" in page  # shortcuts are documented on the page


def test_blind_rater_does_not_see_model_probabilities(base_url, fixture_db):
    client, _ = login(base_url, "carol", fixture_db.passwords["carol"])  # carol is blind
    page = client.get("/item/m1/u00003").text
    assert "threshold" not in page
    assert "Distance" not in client.get("/queue").text
    sighted, _ = login(base_url, "alice", fixture_db.passwords["alice"])
    assert "threshold" in sighted.get("/item/m1/u00003").text


def test_blind_app_hides_probabilities_from_everyone(fixture_db):
    with serve(create_app(fixture_db.db_path, blind=True)) as url:
        client, _ = login(url, "alice", fixture_db.passwords["alice"])
        assert "threshold" not in client.get("/item/m1/u00003").text


def test_rater_never_sees_another_raters_answers(base_url, fixture_db):
    bob, bob_csrf = login(base_url, "bob", fixture_db.passwords["bob"])
    bob.post("/item/m1/u00005", data=_answers("yes") | {"note": "bob-secret-note", "csrf_token": bob_csrf})
    alice, _ = login(base_url, "alice", fixture_db.passwords["alice"])
    page = alice.get("/item/m1/u00005").text
    assert "bob-secret-note" not in page
    assert "checked" not in page
    assert "bob" not in page.split("<main>")[1].split("</main>")[0]


def test_changed_answer_is_a_new_row_and_current_takes_the_latest(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    client.post("/item/m1/u00001", data=_answers("yes") | {"csrf_token": csrf})
    client.post("/item/m1/u00001", data=_answers("yes") | {"csrf_token": csrf})  # unchanged: no rows
    changed = _answers("yes") | {"answer_persuasion": "no", "csrf_token": csrf}
    client.post("/item/m1/u00001", data=changed)
    rows = _ratings(app)
    assert len(rows) == 5
    assert [r[3] for r in rows if r[2] == "persuasion"] == [True, False]
    with app.state.store.reading() as con:
        current = dict(con.execute("select tag, value from rating_current where rater_id = 'alice'").fetchall())
    assert current == {tag: tag != "persuasion" for tag in TAGS}
    page = client.get("/item/m1/u00001").text
    assert re.search(r'value="no" id="answer-persuasion-no" checked', page)


def test_item_needs_an_answer_for_every_tag(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    response = client.post("/item/m1/u00001", data={"answer_persuasion": "yes", "csrf_token": csrf})
    assert response.status_code == 400 and "Option discussion" in response.text
    assert _ratings(app) == []


def test_json_api_records_answers(app, base_url, fixture_db):
    client, csrf = login(base_url, "bob", fixture_db.passwords["bob"])
    response = client.post(
        "/api/ratings",
        json={"utterance_id": "m2/u00001", "answers": {"persuasion": False, "option_discussion": True}},
        headers={"x-csrf-token": csrf},
    )
    assert response.json() == {"added": 2}
    bad = client.post(
        "/api/ratings", json={"utterance_id": "m2/u00001", "answers": {"nope": True}}, headers={"x-csrf-token": csrf}
    )
    assert bad.status_code == 400
    assert (
        client.post(
            "/api/ratings",
            json={"utterance_id": "m9/u1", "answers": {"persuasion": True}},
            headers={"x-csrf-token": csrf},
        ).status_code
        == 404
    )
    assert [(r[2], r[3]) for r in _ratings(app)] == [("persuasion", False), ("option_discussion", True)]


@pytest.mark.parametrize("value", ["no", "false", 1, None])
def test_json_api_accepts_only_real_booleans(app, base_url, fixture_db, value):
    client, csrf = login(base_url, "bob", fixture_db.passwords["bob"])
    response = client.post(
        "/api/ratings",
        json={"utterance_id": "m2/u00001", "answers": {"persuasion": True, "option_discussion": value}},
        headers={"x-csrf-token": csrf},
    )
    assert response.status_code == 400
    assert "true or false" in response.json()["error"] and "option_discussion" in response.json()["error"]
    assert _ratings(app) == []  # nothing stored, not even the valid answer beside it


# --- speakers ------------------------------------------------------------------------------


def test_speaker_page_offers_clips_and_saves_the_mapping(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    page = client.get("/speakers/m1").text
    clips = re.findall(r'src="(/audio/speaker/m1/SPEAKER_01/\d)"', page)
    assert 2 <= len(clips) <= 3
    assert client.get(clips[0]).headers["content-type"] == "audio/wav"
    assert "Robin" in page and "service user" in page
    saved = client.post("/speakers/m1", data={"speaker:SPEAKER_01": "p1", "speaker:SPEAKER_02": "", "csrf_token": csrf})
    assert saved.status_code == 303
    with app.state.store.reading() as con:
        rows = con.execute(
            "select speaker_label, participant_id, mapped_by from speakers where meeting_id = 'm1' order by 1"
        ).fetchall()
    assert rows[1] == ("SPEAKER_01", "p1", "alice")
    assert rows[2][1] is None  # "not mapped" leaves a speaker alone
    assert "service user" in client.get("/item/m1/u00001").text  # u00001 is SPEAKER_01
    assert client.post("/speakers/m1", data={"speaker:SPEAKER_09": "p1", "csrf_token": csrf}).status_code == 400
    # Choosing "not mapped" for a mapped speaker clears the mapping.
    client.post("/speakers/m1", data={"speaker:SPEAKER_00": "", "speaker:SPEAKER_01": "p1", "csrf_token": csrf})
    with app.state.store.reading() as con:
        assert (
            con.execute(
                "select participant_id from speakers where meeting_id = 'm1' and speaker_label = 'SPEAKER_00'"
            ).fetchone()[0]
            is None
        )
    assert client.get("/speakers/nope").status_code == 404


def test_speaker_page_flags_doubtful_speakers_merges_them_and_offers_suggestions(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    with app.state.store.locked() as con:
        con.execute("update speakers set doubtful = true where meeting_id = 'm1' and speaker_label = 'SPEAKER_02'")
        # m2's SPEAKER_00 (p3) is the same person as m1's p3: enrol their voice, give m1's SPEAKER_01 a close one
        for meeting in ("m1", "m2"):
            con.execute(
                "update participants set person_id = 'dr-lee' where meeting_id = ? and participant_id = 'p3'", [meeting]
            )
        con.execute(
            "update speakers set embedding = [1.0, 0.0] where meeting_id = 'm2' and speaker_label = 'SPEAKER_00'"
        )
        con.execute(
            "update speakers set embedding = [0.9, 0.1] where meeting_id = 'm1' and speaker_label = 'SPEAKER_01'"
        )
    page = client.get("/speakers/m1").text
    assert page.count("doubtful: little speech") == 1
    assert 'name="speaker:SPEAKER_01" value="p3"' in page and "Accept suggestion: p3 (voice similarity 0.99" in page
    # accepting: the suggestion's button posts its value after the select's
    from urllib.parse import urlencode

    body = urlencode([("csrf_token", csrf), ("speaker:SPEAKER_01", ""), ("speaker:SPEAKER_01", "p3")])
    accepted = client.post("/speakers/m1", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert accepted.status_code == 303
    merged = client.post(
        "/speakers/m1/merge", data={"source": "SPEAKER_02", "target": "SPEAKER_01", "csrf_token": csrf}
    )
    assert merged.status_code == 303 and merged.headers["location"].endswith("?merged=SPEAKER_02")
    with app.state.store.reading() as con:
        assert con.execute(
            "select speaker_label, participant_id from speakers where meeting_id = 'm1' order by 1"
        ).fetchall() == [("SPEAKER_00", "p3"), ("SPEAKER_01", "p3")]
        assert con.execute(
            "select count(*) from utterances where meeting_id = 'm1' and speaker_label = 'SPEAKER_02'"
        ).fetchone() == (0,)
    refused = client.post(
        "/speakers/m1/merge", data={"source": "SPEAKER_01", "target": "SPEAKER_01", "csrf_token": csrf}
    )
    assert refused.status_code == 400 and "cannot merge SPEAKER_01 into itself" in refused.text


def test_a_meeting_whose_consent_lacks_review_is_never_shown_or_played(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    with app.state.store.locked() as con:
        con.execute("update meetings set consent_scope = ['transcribe', 'analyse'] where meeting_id = 'm2'")
    try:
        assert "m2/u" not in client.get("/queue").text
        assert "m2" not in client.get("/speakers").text
        assert client.get("/item/m2/u00000").status_code == 404
        assert client.get("/audio/utterance/m2/u00000").status_code == 404
        assert client.get("/audio/speaker/m2/SPEAKER_00/0").status_code == 404
        assert client.get("/speakers/m2").status_code == 404
        assert client.post("/speakers/m2", data={"speaker:SPEAKER_01": "p1", "csrf_token": csrf}).status_code == 404
        assert (
            client.post(
                "/api/ratings",
                json={"utterance_id": "m2/u00000", "answers": {"persuasion": True}},
                headers={"x-csrf-token": csrf},
            ).status_code
            == 404
        )
        assert client.get("/item/m1/u00000").status_code == 200  # m1's consent covers review
    finally:
        with app.state.store.locked() as con:
            con.execute(
                "update meetings set consent_scope = ['transcribe', 'analyse', 'review'] where meeting_id = 'm2'"
            )


def test_parallel_guesses_and_forged_addresses_get_no_more_than_five_checks(base_url, fixture_db):
    from concurrent.futures import ThreadPoolExecutor

    def attempt(n: int) -> int:
        with httpx.Client(base_url=base_url, follow_redirects=False, timeout=60) as client:
            token = csrf_token(client.get("/login").text)
            password = fixture_db.passwords["bob"] if n == 40 else f"wrong-{n}"
            response = client.post(
                "/login",
                data={"rater": "bob", "password": password, "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},  # a different "address" each
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=41) as pool:
        statuses = list(pool.map(attempt, range(41)))
    checked = [s for s in statuses if s in (401, 303)]  # a password was checked: wrong (401) or right (303)
    assert len(checked) <= 5, statuses
    assert statuses.count(429) >= 36


# --- frictions: nothing typed is lost, progress and order, words beside clips ---------------


def test_a_refused_form_keeps_the_raters_answers_and_note(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    partial = {"answer_persuasion": "no", "answer_option_discussion": "yes", "answer_peer_self_disclosure": "no"}
    response = client.post("/item/m1/u00001", data=partial | {"note": "keep <this> note", "csrf_token": csrf})
    assert response.status_code == 400 and "Preference elicitation" in response.text
    page = response.text
    assert re.search(r'value="no" id="answer-persuasion-no" checked', page)
    assert re.search(r'value="yes" id="answer-option_discussion-yes" checked', page)
    assert re.search(r'value="no" id="answer-peer_self_disclosure-no" checked', page)
    assert not re.search(r'id="answer-preference_elicitation-(yes|no)" checked', page)
    assert ">keep &lt;this&gt; note</textarea>" in page
    assert _ratings(app) == []
    # the OPTION-5 form too: chosen scores and the note come back with the error
    scored = client.post(
        "/validation/meeting/m1",
        data={
            "item1": "3",
            "item2": "0",
            "item3": "4",
            "item4": "",
            "item5": "2",
            "note": "half way",
            "csrf_token": csrf,
        },
    )
    assert scored.status_code == 400
    assert re.search(r'<option value="3" selected>', scored.text) and re.search(
        r'<option value="4" selected>', scored.text
    )
    assert ">half way</textarea>" in scored.text


def test_queue_shows_progress_and_can_be_taken_in_meeting_order(app, base_url, fixture_db):
    client, csrf = login(base_url, "alice", fixture_db.passwords["alice"])
    total = len(fixture_db.utterances["m1"]) + len(fixture_db.utterances["m2"])
    assert f"0 of {total} done" in client.get("/queue").text
    client.post("/item/m1/u00004", data=_answers() | {"csrf_token": csrf})
    client.post("/item/m2/u00001", data={"answer_persuasion": "yes", "csrf_token": csrf})  # refused: not done
    client.post(
        "/api/ratings",
        json={"utterance_id": "m2/u00002", "answers": {"persuasion": True}},
        headers={"x-csrf-token": csrf},
    )  # one tag of four
    assert f"1 of {total} done" in client.get("/queue").text
    assert "1 of 10 done" in client.get("/queue", params={"meeting": "m1"}).text
    assert "2 of 14 done" in client.get("/queue", params={"tag": "persuasion"}).text  # persuasion answered twice

    in_order = _queue_ids(client.get("/queue", params={"order": "meeting"}).text)
    assert in_order == fixture_db.utterances["m1"] + fixture_db.utterances["m2"]
    assert in_order != _queue_ids(client.get("/queue").text)  # not the uncertainty order
    start = client.get("/next", params={"order": "meeting"})
    assert start.headers["location"] == "/item/m1/u00000?order=meeting"
    saved = client.post("/item/m1/u00000?order=meeting", data=_answers() | {"csrf_token": csrf})
    assert client.get(saved.headers["location"]).headers["location"] == "/item/m1/u00001?order=meeting"
    # with "not yet rated by me", u00004 (rated) is skipped in meeting order
    unrated = _queue_ids(client.get("/queue", params={"order": "meeting", "unrated": "1", "meeting": "m1"}).text)
    assert unrated == [u for u in fixture_db.utterances["m1"] if u not in ("m1/u00000", "m1/u00004")]


def test_speaker_page_shows_the_words_of_each_clip_beside_it(base_url, fixture_db):
    client, _ = login(base_url, "alice", fixture_db.passwords["alice"])
    page = client.get("/speakers/m1").text
    # SPEAKER_01 says utterances 1, 4 and 7; each clip sits beside the words heard in it
    pairs = re.findall(
        r'src="/audio/speaker/m1/SPEAKER_01/(\d)"></audio>\s*<span class="clip-text">([^<]*)</span>', page
    )
    assert [text for _, text in pairs] == [
        f"Utterance {i} of m1: what would help you most this week?" for i in (1, 4, 7)
    ]


def test_the_queue_names_mapped_speakers_explains_distance_and_links_the_codebook(app, base_url, fixture_db):
    client, _ = login(base_url, "alice", fixture_db.passwords["alice"])
    queue = client.get("/queue?meeting=m1&order=meeting").text
    # SPEAKER_00 is mapped to clinician p3: shown by people.display_name, the label on hover
    assert '<td title="SPEAKER_00">p3 (clinician' in queue
    assert 'id="distance-note"' in queue and "how far the model's probability is from its" in queue
    item = client.get("/item/m1/u00003").text
    assert 'href="/codebook"' in item
    codebook = client.get("/codebook")
    assert codebook.status_code == 200 and "persuasion" in codebook.text.lower()
