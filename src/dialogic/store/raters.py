"""Raters and their sessions: who may rate and correct, and who is logged in (`dialogic.review.auth`
checks passwords and tokens; these are its writes)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import duckdb

from dialogic.errors import LookupFailed, StoreError
from dialogic.review.auth import (
    MIN_PASSWORD_CHARS,
    SESSION_LIFETIME_S,
    check_rater_name,
    hash_password,
    token_digest,
)


def add_rater(
    con: duckdb.DuckDBPyConnection, rater_id: str, password: str, *, blind: bool = False, can_edit: bool = False
) -> None:
    """Create a rater account. Raises ValueError for a bad name or short password, StoreError if taken.

    ``can_edit``: the rater may correct transcripts in the review app (what everyone's figures are
    computed from), not only answer about tags.
    """
    check_rater_name(rater_id)
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    try:
        con.execute(
            "insert into raters (rater_id, password_hash, blind, can_edit) values (?, ?, ?, ?)",
            [rater_id, hash_password(password), blind, can_edit],
        )
    except duckdb.ConstraintException as exc:
        raise StoreError(f"rater {rater_id!r} already exists") from exc


def set_editor(con: duckdb.DuckDBPyConnection, rater_id: str, can_edit: bool) -> None:
    """Grant or revoke a rater's right to correct transcripts (live sessions follow at once)."""
    if con.execute("select 1 from raters where rater_id = ?", [rater_id]).fetchone() is None:
        raise LookupFailed(f"no rater {rater_id!r}")
    con.execute("update raters set can_edit = ? where rater_id = ?", [can_edit, rater_id])


def start_session(
    con: duckdb.DuckDBPyConnection, rater_id: str, *, lifetime_s: int = SESSION_LIFETIME_S
) -> tuple[str, str]:
    """Record a new session; returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    expires_at = datetime.now() + timedelta(seconds=lifetime_s)
    con.execute(
        "insert into review_sessions (token_sha256, rater_id, csrf_token, expires_at) values (?, ?, ?, ?)",
        [token_digest(token), rater_id, csrf_token, expires_at],
    )
    return token, csrf_token


def end_session(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute(
        "update review_sessions set ended_at = ? where token_sha256 = ? and ended_at is null",
        [datetime.now(), token_digest(token)],
    )
