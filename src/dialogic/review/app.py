"""The fidelity raters' web app: a Starlette app with server-rendered pages.

Every route except the login form needs a live session (checked by :class:`RaterGate`, so a
new route is protected without remembering to be), every POST needs the session's CSRF token,
and every response carries headers that keep pages out of caches, frames and other origins.
Nothing is loaded from outside the app: its CSS and JS are served from ``static/``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import dialogic.consent  # noqa: F401  (an interrupted withdrawal is finished before a request reads the database)
from dialogic.errors import AudioError, DialogicError, EditRefused, LookupFailed
from dialogic.review import auth, clips, editor, ratings
from dialogic.review.agreement import compute_agreement
from dialogic.speakers import list_speakers, suggest_mappings

_HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "dialogic_session"
LOGIN_CSRF_COOKIE = "dialogic_login_csrf"
PUBLIC_PATHS = frozenset({"/login"})
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def create_app(
    db_path: str | Path,
    *,
    blind: bool = False,
    secure_cookies: bool = False,
    throttle: auth.LoginThrottle | None = None,
    tagger_loader: Callable[[str], object] | None = None,
) -> Starlette:
    """Build the review app over the DuckDB file at ``db_path`` (migrated on open).

    ``blind`` hides the model's probabilities from every rater (a rater's own ``blind`` flag
    does so for that rater only). ``secure_cookies`` marks cookies HTTPS-only, for when the
    app sits behind a TLS proxy; on plain localhost it must stay off. ``tagger_loader``: model
    version → tagger, for re-tagging utterances a transcript correction changed (default:
    `dialogic.tagging.tagger.load_tagger`, loaded on the first correction of a tagged meeting).
    """
    review_store = ratings.ReviewStore(db_path)
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    templates.env.globals["TAGS"] = ratings.TAGS
    templates.env.globals["TAG_TITLES"] = ratings.TAG_TITLES
    templates.env.filters["item_url"] = _item_url
    login_css = (_HERE / "static" / "review.css").read_text()
    login_css_hash = base64.b64encode(hashlib.sha256(login_css.encode()).digest()).decode()

    app = Starlette(
        routes=[
            Route("/", _home),
            Route("/login", _login_form, methods=["GET"]),
            Route("/login", _login, methods=["POST"]),
            Route("/logout", _logout, methods=["POST"]),
            Route("/queue", _queue),
            Route("/next", _next),
            Route("/item/{utterance_id:path}", _item, methods=["GET"]),
            Route("/item/{utterance_id:path}", _submit_item, methods=["POST"]),
            Route("/api/ratings", _api_ratings, methods=["POST"]),
            Route("/audio/utterance/{utterance_id:path}", _utterance_audio),
            Route("/audio/speaker/{meeting_id}/{speaker_label}/{clip_index:int}", _speaker_audio),
            Route("/speakers", _speaker_meetings),
            Route("/speakers/{meeting_id}", _speakers, methods=["GET"]),
            Route("/speakers/{meeting_id}", _map_speakers, methods=["POST"]),
            Route("/speakers/{meeting_id}/merge", _merge_speakers, methods=["POST"]),
            Route("/transcripts", _transcripts),
            Route("/transcripts/{meeting_id}", _transcript, methods=["GET"]),
            Route("/transcripts/{meeting_id}", _correct_transcript, methods=["POST"]),
            Route("/correct/{utterance_id:path}", _correct_utterance),
            Route("/agreement", _agreement),
            Route("/codebook", _codebook),
            Route("/validation", _validation),
            Route("/validation/next", _validation_next),
            Route("/validation/meeting/{meeting_id}", _meeting_score, methods=["GET"]),
            Route("/validation/meeting/{meeting_id}", _submit_meeting_score, methods=["POST"]),
            Route("/validation/item/{utterance_id:path}", _validation_item, methods=["GET"]),
            Route("/validation/item/{utterance_id:path}", _submit_validation_item, methods=["POST"]),
            Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
        ],
        lifespan=_closing(review_store),
    )
    app.state.store = review_store
    app.state.templates = templates
    app.state.blind = blind
    app.state.secure_cookies = secure_cookies
    app.state.throttle = throttle or auth.LoginThrottle()
    app.state.login_css = login_css
    app.state.tagger_loader = tagger_loader or _load_tagger
    app.state.taggers = {}
    app.state.tagger_lock = threading.Lock()
    app.add_middleware(RaterGate, review_store=review_store, login_css_hash=login_css_hash)
    return app


def _closing(review_store: ratings.ReviewStore):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        review_store.close()

    return lifespan


class RaterGate:
    """ASGI middleware: attaches the session, refuses anonymous requests, adds security headers."""

    def __init__(self, app, review_store: ratings.ReviewStore, login_css_hash: str) -> None:
        self.app = app
        self.store = review_store
        self.headers = [
            (
                b"content-security-policy",
                (
                    "default-src 'self'; media-src 'self'; img-src 'self' data:; "
                    f"style-src 'self' 'sha256-{login_css_hash}'; script-src 'self'; "
                    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
                ).encode(),
            ),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
        ]

    def _load(self, token: str) -> auth.Session | None:
        with self.store.reading() as cur:
            return auth.load_session(cur, token)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in names]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        request = Request(scope)
        token = request.cookies.get(SESSION_COOKIE)
        session = await run_in_threadpool(self._load, token) if token else None
        scope.setdefault("state", {})["session"] = session
        if session is None and scope["path"] not in PUBLIC_PATHS:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                target = scope["path"] + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
                response: Response = RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
            else:
                response = PlainTextResponse("login required", status_code=401)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def csrf_protected(endpoint):
    """Refuse a POST whose CSRF token (form field or X-CSRF-Token header) is not the session's."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        session: auth.Session = request.state.session
        given = request.headers.get("x-csrf-token")
        if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            given = (await request.form()).get("csrf_token")
        if not auth.tokens_match(session.csrf_token, given):
            return PlainTextResponse("CSRF token missing or wrong; reload the page", status_code=403)
        return await endpoint(request)

    return wrapper


async def _read(request: Request, fn, *args, **kwargs):
    def run():
        with request.app.state.store.reading() as cur:
            return fn(cur, *args, **kwargs)

    return await run_in_threadpool(run)


async def _write(request: Request, fn, *args, **kwargs):
    def run():
        with request.app.state.store.writing() as cur:
            return fn(cur, *args, **kwargs)

    return await run_in_threadpool(run)


def _render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> Response:
    session: auth.Session | None = request.state.session
    base = {
        "rater": session.rater if session else None,
        "csrf_token": session.csrf_token if session else None,
        "blind": _is_blind(request),
    }
    return request.app.state.templates.TemplateResponse(request, name, base | (context or {}), status_code=status_code)


def _is_blind(request: Request) -> bool:
    session: auth.Session | None = request.state.session
    return bool(request.app.state.blind or (session and session.rater.blind))


def _item_url(utterance_id: str, params: dict | None = None) -> str:
    url = "/item/" + quote(utterance_id, safe="/")
    return url + (f"?{urlencode(params)}" if params else "")


def _next_url(queue_filter: ratings.QueueFilter, after: str) -> str:
    """The "next item" link: the next one in the rater's filtered queue after ``after``."""
    return "/next?" + urlencode(queue_filter.query_params() | {"after": after})


def _queue_filter(request: Request) -> ratings.QueueFilter:
    tag = request.query_params.get("tag") or None
    return ratings.QueueFilter(
        meeting_id=request.query_params.get("meeting") or None,
        tag=tag if tag in ratings.TAGS else None,
        unrated_only=request.query_params.get("unrated") == "1",
        in_meeting_order=request.query_params.get("order") == "meeting",
    )


def _safe_next(target: str | None) -> str:
    # Only same-site paths: "//host" or "/\host" would send the rater elsewhere after login.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/queue"


# --- login -------------------------------------------------------------------------------


async def _home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


async def _login_form(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    # Login CSRF: a random value in a SameSite=Strict cookie must come back in the form.
    login_csrf = secrets.token_urlsafe(32)
    response = _render(
        request,
        "login.html",
        {
            "login_csrf": login_csrf,
            "next": _safe_next(request.query_params.get("next")),
            "error": error,
            "login_css": request.app.state.login_css,
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        login_csrf,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=3600,
    )
    return response


async def _login(request: Request) -> Response:
    form = await request.form()
    if not auth.tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")):
        return PlainTextResponse("CSRF token missing or wrong; reload the login page", status_code=403)
    rater_id = str(form.get("rater", "")).strip().lower()
    password = str(form.get("password", ""))
    throttle: auth.LoginThrottle = request.app.state.throttle
    address = request.client.host if request.client else "?"
    if not throttle.begin(rater_id, address):
        return await _login_form(request, "Too many failed logins; wait five minutes.", status_code=429)
    rater = None
    try:
        rater = await _read(request, auth.authenticate, rater_id, password)
    finally:
        throttle.finish(rater_id, address, succeeded=rater is not None)
    if rater is None:
        return await _login_form(request, "Unknown rater or wrong password.", status_code=401)
    token, _ = await _write(request, auth.start_session, rater.rater_id)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=auth.SESSION_LIFETIME_S,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@csrf_protected
async def _logout(request: Request) -> Response:
    await _write(request, auth.end_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- queue and items ---------------------------------------------------------------------


async def _queue(request: Request) -> Response:
    session: auth.Session = request.state.session
    queue_filter = _queue_filter(request)
    items = await _read(request, ratings.list_queue, session.rater.rater_id, queue_filter)
    meetings = await _read(request, ratings.list_meetings)
    done, total = await _read(request, ratings.queue_progress, session.rater.rater_id, queue_filter)
    return _render(
        request,
        "queue.html",
        {
            "items": items,
            "filter": queue_filter,
            "params": queue_filter.query_params(),
            "meetings": meetings,
            "done": done,
            "total": total,
        },
    )


async def _next(request: Request) -> Response:
    session: auth.Session = request.state.session
    queue_filter = _queue_filter(request)
    after = request.query_params.get("after") or None
    next_id = await _read(request, ratings.next_utterance_id, session.rater.rater_id, queue_filter, after)
    if next_id is None:
        return RedirectResponse("/queue?" + urlencode(queue_filter.query_params() | {"done": "1"}), status_code=303)
    return RedirectResponse(_item_url(next_id, queue_filter.query_params()), status_code=303)


async def _item(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    """``posted``: the form a save was refused for, shown again so the rater loses nothing."""
    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    try:
        item = await _read(request, ratings.load_item, session.rater.rater_id, utterance_id)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    queue_filter = _queue_filter(request)
    return _render(
        request,
        "item.html",
        {
            "item": item,
            "params": queue_filter.query_params(),
            "error": error,
            "posted": _posted(posted),
            "audio_url": "/audio/utterance/" + quote(utterance_id, safe="/"),
            "skip_url": _next_url(queue_filter, utterance_id),
        },
        status_code=status_code,
    )


def _posted(form) -> dict | None:
    """A refused form's fields for the template (answers, note, transcript check), or None."""
    if form is None:
        return None
    answers, _ = _form_answers(form)
    return {
        "answers": answers,
        "note": str(form.get("note") or ""),
        "speaker_right": str(form.get("speaker_right") or ""),
        "right_participant": str(form.get("right_participant") or ""),
        "misheard_words": str(form.get("misheard_words") or ""),
    }


def _form_answers(form) -> tuple[dict[str, bool], list[str]]:
    """The yes/no answers of an item form, and the titles of the tags left unanswered."""
    answers = {
        tag: form.get(f"answer_{tag}") == "yes" for tag in ratings.TAGS if form.get(f"answer_{tag}") in ("yes", "no")
    }
    return answers, [ratings.TAG_TITLES[t] for t in ratings.TAGS if t not in answers]


@csrf_protected
async def _submit_item(request: Request) -> Response:
    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    form = await request.form()
    answers, missing = _form_answers(form)
    if missing:
        return await _item(
            request, f"Answer every tag before saving (missing: {', '.join(missing)}).", 400, posted=form
        )
    try:
        await _write(request, ratings.record_answers, session.rater.rater_id, utterance_id, answers, form.get("note"))
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return RedirectResponse(_next_url(_queue_filter(request), utterance_id), status_code=303)


@csrf_protected
async def _api_ratings(request: Request) -> Response:
    """JSON: {"utterance_id": ..., "answers": {tag: true|false}, "note": ...} → {"added": n}."""
    session: auth.Session = request.state.session
    try:
        body = await request.json()
        utterance_id = str(body["utterance_id"])
        answers = {str(tag): value for tag, value in dict(body["answers"]).items()}
        note = body.get("note")
        note = None if note is None else str(note)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return JSONResponse({"error": "expected {utterance_id, answers: {tag: bool}, note?}"}, status_code=400)
    # Only JSON true/false: bool("no") would store a "no" as yes.
    not_bool = sorted(tag for tag, value in answers.items() if not isinstance(value, bool))
    if not_bool:
        return JSONResponse(
            {"error": f"each answer must be JSON true or false; not so for: {', '.join(not_bool)}"}, status_code=400
        )
    if not answers:
        return JSONResponse({"error": "no answers given"}, status_code=400)
    try:
        added = await _write(request, ratings.record_answers, session.rater.rater_id, utterance_id, answers, note)
    except LookupFailed as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"added": added})


# --- validation queue --------------------------------------------------------------------
#
# A random sample of the study's utterances (`dialogic validate sample`), in random order, always
# blind to the model, each to two raters and disagreements to a third; answers are recorded with
# their queue, and only these answers feed the validation report's estimates.


async def _validation(request: Request) -> Response:
    from dialogic.validation.queue import validation_progress, validation_queue

    session: auth.Session = request.state.session
    try:
        items = await _read(request, validation_queue, session.rater.rater_id)
    except LookupFailed as exc:
        meetings = await _read(request, _scorable_meetings, session.rater.rater_id)
        return _render(
            request, "validation.html", {"items": [], "progress": None, "message": str(exc), "meetings": meetings}
        )
    progress = await _read(request, validation_progress)
    meetings = await _read(request, _scorable_meetings, session.rater.rater_id)
    return _render(
        request, "validation.html", {"items": items, "progress": progress, "message": None, "meetings": meetings}
    )


def _scorable_meetings(cur, rater_id: str) -> list[tuple[str, bool]]:
    """(meeting_id, scored by this rater) for every meeting raters may review."""
    return cur.execute(
        """
        select r.meeting_id, exists (select 1 from meeting_scores s where s.meeting_id = r.meeting_id and s.rater_id = ?)
        from reviewable_meetings() as r order by r.meeting_id
        """,
        [rater_id],
    ).fetchall()


def _meeting_score_context(cur, rater_id: str, meeting_id: str) -> dict:
    _require_reviewable(cur, meeting_id)
    mine = cur.execute(
        "select item1, item2, item3, item4, item5 from meeting_option5_scores where rater_id = ? and meeting_id = ?",
        [rater_id, meeting_id],
    ).fetchone()
    return {"meeting_id": meeting_id, "mine": list(mine) if mine else None}


async def _meeting_score(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    """A whole meeting scored on OPTION-5's five items (0–4), for the meeting-level validation;
    ``posted``: a refused form, shown again with what the rater chose and wrote."""
    from dialogic.validation.meetings import ITEMS

    session: auth.Session = request.state.session
    try:
        context = await _read(
            request, _meeting_score_context, session.rater.rater_id, request.path_params["meeting_id"]
        )
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    if posted is not None:
        context["mine"] = [_int_or_none(posted.get(f"item{i}")) for i in range(1, 6)]
        context["note"] = str(posted.get("note") or "")
    return _render(request, "meeting_score.html", context | {"items": ITEMS, "error": error}, status_code=status_code)


def _int_or_none(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@csrf_protected
async def _submit_meeting_score(request: Request) -> Response:
    from dialogic.validation.meetings import record_meeting_score

    session: auth.Session = request.state.session
    form = await request.form()
    try:
        items = [int(str(form.get(f"item{i}"))) for i in range(1, 6)]
    except ValueError:
        return await _meeting_score(request, "Score every item from 0 to 4 before saving.", 400, posted=form)
    try:
        await _write(
            request,
            record_meeting_score,
            session.rater.rater_id,
            request.path_params["meeting_id"],
            items,
            form.get("note"),
        )
    except LookupFailed as exc:
        return await _meeting_score(request, str(exc), 400, posted=form)
    return RedirectResponse("/validation?scored=" + quote(request.path_params["meeting_id"], safe=""), status_code=303)


async def _validation_next(request: Request) -> Response:
    from dialogic.validation.queue import validation_queue

    session: auth.Session = request.state.session
    try:
        items = await _read(request, validation_queue, session.rater.rater_id)
    except LookupFailed:
        items = []
    if not items:
        return RedirectResponse("/validation?done=1", status_code=303)
    return RedirectResponse("/validation/item/" + quote(items[0].utterance_id, safe="/"), status_code=303)


async def _validation_item(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    from dialogic.validation.queue import queue_kind

    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    try:
        kind = await _read(request, queue_kind, session.rater.rater_id, utterance_id)
        if kind is None:
            return PlainTextResponse(
                f"{utterance_id} is not in your validation queue (rated already, seen in the training queue, "
                "or rated by two others)",
                status_code=404,
            )
        item = await _read(request, ratings.load_item, session.rater.rater_id, utterance_id)
        participants = await _read(request, ratings.list_participants, item.utterance.meeting_id)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return _render(
        request,
        "item.html",
        {
            "item": item,
            "participants": participants,
            "params": {},
            "error": error,
            "posted": _posted(posted),
            "blind": True,  # validation answers are always given without the model's view
            "queue_kind": kind,
            "back_url": "/validation",
            "back_label": "Validation queue",
            "form_action": "/validation/item/" + quote(utterance_id, safe="/"),
            "audio_url": "/audio/utterance/" + quote(utterance_id, safe="/"),
            "skip_url": "/validation",
        },
        status_code=status_code,
    )


@csrf_protected
async def _submit_validation_item(request: Request) -> Response:
    from dialogic.validation.queue import queue_kind

    session: auth.Session = request.state.session
    utterance_id = request.path_params["utterance_id"]
    form = await request.form()
    answers, missing = _form_answers(form)
    # an item of a speaker-check sample asks who said it, not the tags
    speaker_only = await _read(request, queue_kind, session.rater.rater_id, utterance_id) == "speaker check"
    if speaker_only and not form.get("speaker_right"):
        return await _validation_item(
            request, "Say whether the speaker shown is right before saving.", 400, posted=form
        )
    if missing and not speaker_only:
        return await _validation_item(
            request, f"Answer every tag before saving (missing: {', '.join(missing)}).", 400, posted=form
        )

    check = str(form.get("speaker_right") or "")
    misheard = str(form.get("misheard_words") or "").strip()
    if check or misheard:
        try:
            misheard_words = int(misheard or 0)
        except ValueError:
            return await _validation_item(request, "Misheard words must be a whole number.", 400, posted=form)
    speaker_right = {"yes": True, "no": False, "unsure": None}.get(check)

    def record(cur) -> None:
        from dialogic.validation.transcripts import record_transcript_check

        kind = queue_kind(cur, session.rater.rater_id, utterance_id)
        if kind is None:
            raise LookupFailed(f"{utterance_id} is not in your validation queue")
        if kind != "speaker check":
            ratings.record_answers(cur, session.rater.rater_id, utterance_id, answers, form.get("note"), queue=kind)
        if check or misheard:
            record_transcript_check(
                cur,
                session.rater.rater_id,
                utterance_id,
                speaker_right,
                misheard_words,
                str(form.get("right_participant") or "") or None,
            )

    try:
        await _write(request, record)
    except LookupFailed as exc:
        if "misheard words" in str(exc) or "no participant" in str(exc):
            return await _validation_item(request, str(exc), 400, posted=form)
        return PlainTextResponse(str(exc), status_code=404)
    return RedirectResponse("/validation/next", status_code=303)


# --- audio -------------------------------------------------------------------------------


async def _utterance_audio(request: Request) -> Response:
    try:
        span = await _read(request, clips.utterance_span, request.path_params["utterance_id"])
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return await _clip_response(request, span)


async def _speaker_audio(request: Request) -> Response:
    p = request.path_params
    try:
        span = await _read(request, clips.speaker_span, p["meeting_id"], p["speaker_label"], p["clip_index"])
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return await _clip_response(request, span)


async def _clip_response(request: Request, span: clips.ClipSpan) -> Response:
    try:
        data = await run_in_threadpool(clips.extract_clip, span.audio_path, span.start_s, span.end_s)
    except AudioError as exc:
        return PlainTextResponse(f"audio unavailable: {exc}", status_code=404)
    headers = {"accept-ranges": "bytes", "cache-control": "private, no-store"}
    match = _RANGE.match(request.headers.get("range", "").strip())
    if match and (match.group(1) or match.group(2)):
        total = len(data)
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), total - 1) if match.group(2) else total - 1
        else:  # "bytes=-N": the last N bytes
            start, end = max(0, total - int(match.group(2))), total - 1
        if start >= total or start > end:
            return Response(status_code=416, headers={"content-range": f"bytes */{total}"})
        headers["content-range"] = f"bytes {start}-{end}/{total}"
        return Response(data[start : end + 1], status_code=206, media_type="audio/wav", headers=headers)
    return Response(data, media_type="audio/wav", headers=headers)


# --- speaker mapping ---------------------------------------------------------------------


async def _speaker_meetings(request: Request) -> Response:
    meetings = await _read(request, ratings.list_speaker_meetings)
    return _render(request, "speaker_meetings.html", {"meetings": meetings})


def _require_reviewable(cur, meeting_id: str) -> None:
    if not cur.execute("select count(*) from reviewable_meetings() where meeting_id = ?", [meeting_id]).fetchone()[0]:
        raise LookupFailed(f"no meeting {meeting_id!r} whose consent covers review")


async def _speakers(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    meeting_id = request.path_params["meeting_id"]

    def load(cur):
        _require_reviewable(cur, meeting_id)
        # most speech first: the speakers a rater should map before the rest
        speakers = sorted(list_speakers(cur, meeting_id), key=lambda s: (-(s["speech_s"] or 0), s["speaker_label"]))
        suggestions = {}
        for s in suggest_mappings(cur, meeting_id):
            suggestions.setdefault(s.speaker_label, s)  # the best per speaker
        for speaker in speakers:
            # each clip with the words heard in it, so a rater can follow who is speaking
            speaker["clips"] = [
                clips.clip_text(cur, meeting_id, span)
                for span in clips.speaker_spans(cur, meeting_id, speaker["speaker_label"])
            ]
            speaker["suggestion"] = suggestions.get(speaker["speaker_label"])
        return speakers, ratings.list_participants(cur, meeting_id)

    try:
        speakers, participants = await _read(request, load)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return _render(
        request,
        "speakers.html",
        {
            "meeting_id": meeting_id,
            "speakers": speakers,
            "participants": participants,
            "error": error,
            "saved": request.query_params.get("saved") == "1",
            "merged": request.query_params.get("merged"),
        },
        status_code=status_code,
    )


@csrf_protected
async def _map_speakers(request: Request) -> Response:
    session: auth.Session = request.state.session
    meeting_id = request.path_params["meeting_id"]
    form = await request.form()

    def current_mapping(cur) -> dict:
        _require_reviewable(cur, meeting_id)
        return {s["speaker_label"]: s["participant_id"] for s in list_speakers(cur, meeting_id)}

    try:
        current = await _read(request, current_mapping)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    # Only changes are written: choosing "not mapped" ('') for a mapped speaker clears it,
    # and speakers left as they were keep their mapped_by / mapped_at.
    mapping = {
        key.removeprefix("speaker:"): str(value)
        for key, value in form.multi_items()
        if key.startswith("speaker:") and str(value) != (current.get(key.removeprefix("speaker:")) or "")
    }
    if mapping:
        try:
            await run_in_threadpool(_map_with_store, request, meeting_id, mapping, session.rater.rater_id)
        except LookupFailed as exc:
            return await _speakers(request, str(exc), status_code=400)
    return RedirectResponse(f"/speakers/{quote(meeting_id, safe='')}?saved=1", status_code=303)


@csrf_protected
async def _merge_speakers(request: Request) -> Response:
    """Fold one diarised speaker into another (`dialogic speakers merge`)."""
    from dialogic.speakers import merge_speakers

    meeting_id = request.path_params["meeting_id"]
    form = await request.form()
    source, target = str(form.get("source") or ""), str(form.get("target") or "")

    def merge() -> None:
        with request.app.state.store.locked() as cur:
            merge_speakers(cur, meeting_id, source, target)

    try:
        await run_in_threadpool(merge)
    except LookupFailed as exc:
        return await _speakers(request, str(exc), status_code=400)
    return RedirectResponse(f"/speakers/{quote(meeting_id, safe='')}?merged={quote(source, safe='')}", status_code=303)


def _map_with_store(request: Request, meeting_id: str, mapping: dict, mapped_by: str) -> None:
    # The same mapping `dialogic speakers map` writes; imported here because it pulls in polars.
    from dialogic.speakers import map_speakers

    # map_speakers opens its own transaction, so it gets a plain cursor under the write lock.
    review_store: ratings.ReviewStore = request.app.state.store
    with review_store.locked() as cur:
        map_speakers(cur, meeting_id, mapping, mapped_by)


# --- transcript corrections --------------------------------------------------------------
#
# Editors (`dialogic raters editor NAME`) correct a meeting's transcript: who said an utterance
# or some of its words, what was said, where an utterance starts and ends, what a speaker is
# called. Every correction is one revision (`dialogic.corrections.revision_store.correct`); the
# page's keys drive the same form a browser without scripts submits.


def _load_tagger(model_version: str):
    # imported only when a tagged meeting is first corrected: it loads torch and the encoder
    from dialogic.tagging.tagger import load_tagger

    return load_tagger(model_version)


def _tagger_for(request: Request, model_version: str):
    """The tagger of ``model_version``, loaded once per app (corrections re-tag with it)."""
    state = request.app.state
    with state.tagger_lock:
        if model_version not in state.taggers:
            state.taggers[model_version] = state.tagger_loader(model_version)
        return state.taggers[model_version]


async def _transcripts(request: Request) -> Response:
    meetings = await _read(request, editor.editor_meetings)
    return _render(request, "transcripts.html", {"meetings": meetings})


async def _transcript(request: Request, error: str | None = None, status_code: int = 200, posted=None) -> Response:
    meeting_id = request.path_params["meeting_id"]
    try:
        page = await _read(request, editor.load_editor, meeting_id)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except EditRefused as exc:
        return PlainTextResponse(str(exc), status_code=409)
    return _render(
        request,
        "transcript.html",
        {
            "page": page,
            "error": error,
            "posted": dict(posted) if posted is not None else {},
            "saved": request.query_params.get("saved"),
            "at": request.query_params.get("at") or (posted or {}).get("utterance_id"),
            "can_edit": request.state.session.rater.can_edit and page.imported is None,
            "new_speaker": editor.NEW_SPEAKER,
        },
        status_code=status_code,
    )


async def _correct_utterance(
    request: Request, error: str | None = None, status_code: int = 200, posted=None, utterance_id: str | None = None
) -> Response:
    """One utterance's corrections as plain forms (the editor page without scripts)."""
    utterance_id = utterance_id or request.path_params["utterance_id"]
    try:
        utterance, following, speakers = await _read(request, editor.load_correction, utterance_id)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except EditRefused as exc:
        return PlainTextResponse(str(exc), status_code=409)
    return _render(
        request,
        "correct.html",
        {
            "u": utterance,
            "following": following,
            "speakers": speakers,
            "error": error,
            "posted": dict(posted) if posted is not None else {},
            "can_edit": request.state.session.rater.can_edit,
            "new_speaker": editor.NEW_SPEAKER,
        },
        status_code=status_code,
    )


@csrf_protected
async def _correct_transcript(request: Request) -> Response:
    session: auth.Session = request.state.session
    meeting_id = request.path_params["meeting_id"]
    form = await request.form()
    if not session.rater.can_edit:
        return PlainTextResponse(
            "only editors may correct transcripts (an administrator runs `dialogic raters editor NAME`)",
            status_code=403,
        )

    async def refused(message: str) -> Response:
        # the page the form came from, with what the editor typed still there
        if form.get("return") == "correct" and form.get("utterance_id"):
            return await _correct_utterance(
                request, message, 400, posted=form, utterance_id=str(form.get("utterance_id"))
            )
        return await _transcript(request, message, 400, posted=form)

    def version_if_reviewable(cur) -> str | None:
        from dialogic.corrections.revision_store import current_tagger_version

        editor.require_reviewable(cur, meeting_id)
        return current_tagger_version(cur, meeting_id)

    try:
        edit, expected = editor.parse_edit_form(form)
        version = await _read(request, version_if_reviewable)
    except LookupFailed as exc:
        return PlainTextResponse(str(exc), status_code=404)
    except EditRefused as exc:
        return await refused(str(exc))
    tagger = None
    if version is not None:
        try:
            tagger = await run_in_threadpool(_tagger_for, request, version)
        except DialogicError as exc:
            return await refused(
                f"Not saved: the edited utterances must be tagged again by {version}, which cannot be loaded here: {exc}"
            )

    def apply():
        from dialogic.corrections.revision_store import correct

        with request.app.state.store.locked() as cur:
            return correct(cur, meeting_id, edit, session.rater.rater_id, tagger=tagger, expected_versions=expected)

    try:
        result = await run_in_threadpool(apply)
    except (EditRefused, LookupFailed) as exc:
        return await refused(f"Not saved: {exc}")
    at = result.after[0].utterance_id if result.after else str(form.get("utterance_id") or "")
    params = {"saved": str(result.revision_id)} | ({"at": at} if at else {})
    return RedirectResponse(f"/transcripts/{quote(meeting_id, safe='')}?{urlencode(params)}", status_code=303)


# --- codebook ----------------------------------------------------------------------------


async def _codebook(request: Request) -> Response:
    """The raters' codebook (docs/codebook.md) as the text they rate by, linked from the queue and items."""
    from dialogic.tagging.codebook import codebook_path

    try:
        text = await run_in_threadpool(codebook_path().read_text, encoding="utf-8")
    except (OSError, LookupFailed) as exc:
        return PlainTextResponse(f"the codebook cannot be read: {exc}", status_code=404)
    return PlainTextResponse(text)


# --- agreement ---------------------------------------------------------------------------


async def _agreement(request: Request) -> Response:
    from dialogic.validation.queue import latest_sample
    from dialogic.validation.report import agreement_figures

    report = await _read(request, compute_agreement)
    sample_id = await _read(request, latest_sample)
    # the validation report's own computation (same seed and resamples as its defaults): one set of figures
    figures = await _read(request, agreement_figures, sample_id) if sample_id else []
    return _render(request, "agreement.html", {"report": report, "sample_id": sample_id, "figures": figures})
