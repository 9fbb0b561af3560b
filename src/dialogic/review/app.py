"""The fidelity raters' web app: a Starlette app with server-rendered pages.

Every route except the login form needs a live session (checked by :class:`RaterGate`, so a
new route is protected without remembering to be), every POST needs the session's CSRF token,
and every response carries headers that keep pages out of caches, frames and other origins.
Nothing is loaded from outside the app: its CSS and JS are served from ``static/``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import dialogic.consent  # noqa: F401  (an interrupted withdrawal is finished before a request reads the database)
from dialogic.review import auth, ratings
from dialogic.review.views import agreement as agreement_views
from dialogic.review.views import audio, base, login, speakers, validation
from dialogic.review.views import editor as editor_views
from dialogic.review.views import ratings as ratings_views
from dialogic.review.views.base import SESSION_COOKIE
from dialogic.tagging.codebook import TAG_TITLES

_HERE = Path(__file__).resolve().parent
PUBLIC_PATHS = frozenset({"/login"})


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
    templates.env.globals["TAG_TITLES"] = TAG_TITLES
    templates.env.filters["item_url"] = base.item_url
    login_css = (_HERE / "static" / "review.css").read_text()
    login_css_hash = base64.b64encode(hashlib.sha256(login_css.encode()).digest()).decode()

    app = Starlette(
        routes=[
            *login.routes,
            *ratings_views.routes,
            *audio.routes,
            *speakers.routes,
            *editor_views.routes,
            *agreement_views.routes,
            *validation.routes,
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
    app.state.tagger_loader = tagger_loader or editor_views.load_tagger_of
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
