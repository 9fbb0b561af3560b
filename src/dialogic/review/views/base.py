"""What every view of the review app shares: the database run off the event loop, a page rendered
with the rater's session, the CSRF check on every POST, and which HTTP status each of dialogic's
errors means.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from dialogic.errors import AnswerRefused, AudioError, DialogicError, EditRefused, LookupFailed
from dialogic.review import auth

SESSION_COOKIE = "dialogic_session"

# The one place that says which status an error means, so no view reads a message to choose one.
# Looked up along the error's classes, most specific first: AnswerRefused is a LookupFailed.
STATUS_BY_ERROR: dict[type[DialogicError], int] = {
    LookupFailed: 404,  # what the URL names does not exist, or is not this rater's to see
    AnswerRefused: 400,  # the form's answer does not fit its item: the form is shown again
    EditRefused: 409,  # the transcript no longer allows the edit (consent, imported, changed since)
    AudioError: 404,  # the clip's recording is missing or unreadable
}


def status_for(exc: DialogicError) -> int:
    """The HTTP status for ``exc``: its nearest class in `STATUS_BY_ERROR`, else 500."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(exc: DialogicError) -> Response:
    """``exc``'s message as plain text, with its status."""
    return PlainTextResponse(str(exc), status_code=status_for(exc))


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


async def read(request: Request, fn, *args, **kwargs):
    def run():
        with request.app.state.store.reading() as cur:
            return fn(cur, *args, **kwargs)

    return await run_in_threadpool(run)


async def write(request: Request, fn, *args, **kwargs):
    def run():
        with request.app.state.store.writing() as cur:
            return fn(cur, *args, **kwargs)

    return await run_in_threadpool(run)


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> Response:
    session: auth.Session | None = request.state.session
    base = {
        "rater": session.rater if session else None,
        "csrf_token": session.csrf_token if session else None,
        "blind": is_blind(request),
    }
    return request.app.state.templates.TemplateResponse(request, name, base | (context or {}), status_code=status_code)


def is_blind(request: Request) -> bool:
    session: auth.Session | None = request.state.session
    return bool(request.app.state.blind or (session and session.rater.blind))


def item_url(utterance_id: str, params: dict | None = None) -> str:
    url = "/item/" + quote(utterance_id, safe="/")
    return url + (f"?{urlencode(params)}" if params else "")
