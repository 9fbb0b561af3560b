"""What every view of the review app shares: the database run off the event loop, a page rendered
with the rater's session, and the CSRF check on every POST.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from dialogic.errors import LookupFailed
from dialogic.review import auth

SESSION_COOKIE = "dialogic_session"


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


def require_reviewable(cur, meeting_id: str) -> None:
    if not cur.execute("select count(*) from reviewable_meetings() where meeting_id = ?", [meeting_id]).fetchone()[0]:
        raise LookupFailed(f"no meeting {meeting_id!r} whose consent covers review")
