"""Rater accounts, passwords, login sessions and CSRF tokens for the review app.

Passwords are stored as scrypt keys with a per-rater random salt (the parameters travel with
the hash, so they can be raised later without breaking old accounts). A session is a random
token in a cookie; the database keeps only its sha256, so a copy of the database does not let
anyone log in. Each session carries its own CSRF token, which every form posts back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb

# scrypt cost: 16 MiB of memory and ~50 ms per check — slow enough to make guessing expensive.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_KEY_BYTES = 32
MIN_PASSWORD_CHARS = 10
SESSION_LIFETIME_S = 12 * 3600  # one working day
_RATER_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


@dataclass(frozen=True)
class Rater:
    rater_id: str
    blind: bool
    can_edit: bool = False  # may correct transcripts (`dialogic raters add --editor`)


@dataclass(frozen=True)
class RaterRecord:
    rater_id: str
    blind: bool
    created_at: datetime
    n_answers: int
    can_edit: bool = False
    n_corrections: int = 0


@dataclass(frozen=True)
class Session:
    rater: Rater
    csrf_token: str
    expires_at: datetime


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Derive an scrypt key; returns 'scrypt$n$r$p$salt_hex$key_hex'."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        dklen=_KEY_BYTES,
        maxmem=64 * 1024 * 1024,
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Check ``password`` against a hash made by :func:`hash_password`, in constant time."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        key = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(key_hex) // 2,
            maxmem=64 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(key.hex(), key_hex)


# Checked against when the rater does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password("no such rater", salt=b"\0" * 16)


def check_rater_name(rater_id: str) -> str:
    if not _RATER_NAME.match(rater_id):
        raise ValueError(
            f"rater name {rater_id!r} is not allowed: expected 2-40 lowercase letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return rater_id


def list_raters(con: duckdb.DuckDBPyConnection) -> list[RaterRecord]:
    """Every rater with the number of answers (all rows, not only current ones) and transcript
    corrections they have made."""
    rows = con.execute(
        """
        select raters.rater_id, raters.blind, raters.created_at,
               (select count(*) from ratings where ratings.rater_id = raters.rater_id),
               coalesce(raters.can_edit, false),
               (select count(*) from transcript_revisions as r where r.editor = raters.rater_id)
        from raters order by raters.rater_id
        """
    ).fetchall()
    return [RaterRecord(*r) for r in rows]


def authenticate(con: duckdb.DuckDBPyConnection, rater_id: str, password: str) -> Rater | None:
    """The rater when name and password match, else None (same work done either way)."""
    row = con.execute(
        "select password_hash, blind, coalesce(can_edit, false) from raters where rater_id = ?", [rater_id]
    ).fetchone()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, row[0]):
        return None
    return Rater(rater_id=rater_id, blind=row[1], can_edit=row[2])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def load_session(con: duckdb.DuckDBPyConnection, token: str) -> Session | None:
    """The live session for a cookie token, or None when unknown, ended or expired."""
    row = con.execute(
        """
        select review_sessions.rater_id, raters.blind, review_sessions.csrf_token, review_sessions.expires_at,
               coalesce(raters.can_edit, false)
        from review_sessions inner join raters on raters.rater_id = review_sessions.rater_id
        where review_sessions.token_sha256 = ?
          and review_sessions.ended_at is null
          and review_sessions.expires_at > ?
        """,
        [token_digest(token), datetime.now()],
    ).fetchone()
    if row is None:
        return None
    return Session(rater=Rater(rater_id=row[0], blind=row[1], can_edit=row[4]), csrf_token=row[2], expires_at=row[3])


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens; a missing one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "replace"), given.encode("utf-8", "replace"))


class LoginThrottle:
    """Limits password guesses per rater account, in memory, so that neither concurrency nor
    headers can get more guesses through.

    Every attempt is *reserved* before its password is checked (`begin`) and settled after it
    (`finish`), under one lock: in-flight attempts count against the limits as if they had
    failed, so 40 parallel requests get ``max_failures`` checks, not 40. Two limits apply to an
    attempt on account A from address X: ``max_failures`` recent failures of A from X, and
    ``max_account_failures`` of A from all addresses (against guessing spread over many
    addresses). So someone failing from one address locks only themselves out of A, never the
    rater at another address, until the much higher account-wide limit. The address is the TCP
    peer; `dialogic review` trusts X-Forwarded-For only with ``--proxy``.

    ``clock`` is a parameter so tests can pass a fake one instead of waiting.
    """

    def __init__(
        self, max_failures: int = 5, window_s: float = 300.0, clock=time.monotonic, max_account_failures: int = 20
    ) -> None:
        self.max_failures = max_failures
        self.max_account_failures = max_account_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        self._failures[key] = kept
        return kept

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str]:
        return f"account:{account}", f"account:{account}|address:{address}"

    def begin(self, account: str, address: str) -> bool:
        """Reserve one password check for ``account`` from ``address``; False: refused."""
        account_key, pair_key = self._keys(account, address)
        with self._lock:
            now = self._clock()
            used = {key: len(self._recent(key, now)) + self._in_flight.get(key, 0) for key in (account_key, pair_key)}
            if used[pair_key] >= self.max_failures or used[account_key] >= self.max_account_failures:
                return False
            for key in (account_key, pair_key):
                self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return True

    def finish(self, account: str, address: str, *, succeeded: bool) -> None:
        """Settle a reserved check: a failure is remembered for the window; a success clears the
        pair's failures (not the account-wide ones, which others may have caused)."""
        account_key, pair_key = self._keys(account, address)
        with self._lock:
            now = self._clock()
            for key in (account_key, pair_key):
                self._in_flight[key] = max(0, self._in_flight.get(key, 0) - 1)
                if not succeeded:
                    self._recent(key, now).append(now)
            if succeeded:
                self._failures.pop(pair_key, None)
