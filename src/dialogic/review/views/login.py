"""Logging in and out: the login form (the one page open without a session), its own CSRF cookie,
and the session cookie a successful login sets.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dialogic.review import auth
from dialogic.review.views.base import SESSION_COOKIE, csrf_protected, read, render, write
from dialogic.store import raters

LOGIN_CSRF_COOKIE = "dialogic_login_csrf"


def _safe_next(target: str | None) -> str:
    # Only same-site paths: "//host" or "/\host" would send the rater elsewhere after login.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/queue"


async def _home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


async def _login_form(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    # Login CSRF: a random value in a SameSite=Strict cookie must come back in the form.
    login_csrf = secrets.token_urlsafe(32)
    response = render(
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
        rater = await read(request, auth.authenticate, rater_id, password)
    finally:
        throttle.finish(rater_id, address, succeeded=rater is not None)
    if rater is None:
        return await _login_form(request, "Unknown rater or wrong password.", status_code=401)
    token, _ = await write(request, raters.start_session, rater.rater_id)
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
    await write(request, raters.end_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


routes = [
    Route("/", _home),
    Route("/login", _login_form, methods=["GET"]),
    Route("/login", _login, methods=["POST"]),
    Route("/logout", _logout, methods=["POST"]),
]
