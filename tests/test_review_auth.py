"""Rater accounts: scrypt hashes, sessions, CSRF token comparison and login throttling."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dialogic.db import connect
from dialogic.errors import StoreError
from dialogic.review import auth
from dialogic.store import raters


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "auth.duckdb")
    yield con
    con.close()


def test_password_hash_is_salted_scrypt_and_verifies():
    first, second = auth.hash_password("a long password"), auth.hash_password("a long password")
    assert first.startswith("scrypt$") and first != second  # a fresh salt each time
    assert "a long password" not in first
    assert auth.verify_password("a long password", first)
    assert not auth.verify_password("a long passwore", first)
    assert not auth.verify_password("a long password", "md5$abc")
    assert not auth.verify_password("a long password", "garbage")


def test_add_rater_checks_name_password_and_uniqueness(con):
    raters.add_rater(con, "alice", "long enough password")
    with pytest.raises(StoreError, match="already exists"):
        raters.add_rater(con, "alice", "another long password")
    with pytest.raises(ValueError, match="at least"):
        raters.add_rater(con, "bob", "short")
    for bad in ("Alice", "a", "x' or 1=1 --", "../bob", ""):
        with pytest.raises(ValueError, match="not allowed"):
            raters.add_rater(con, bad, "long enough password")
    assert [r.rater_id for r in auth.list_raters(con)] == ["alice"]
    stored = con.execute("select password_hash from raters").fetchone()[0]
    assert "long enough password" not in stored


def test_authenticate(con):
    raters.add_rater(con, "alice", "long enough password", blind=True)
    assert auth.authenticate(con, "alice", "long enough password") == auth.Rater("alice", blind=True)
    assert auth.authenticate(con, "alice", "wrong password!!") is None
    assert auth.authenticate(con, "nobody", "long enough password") is None


def test_sessions_end_at_logout_and_expire(con):
    raters.add_rater(con, "alice", "long enough password")
    token, csrf = raters.start_session(con, "alice")
    session = auth.load_session(con, token)
    assert session.rater.rater_id == "alice" and session.csrf_token == csrf
    assert con.execute("select count(*) from review_sessions where token_sha256 = ?", [token]).fetchone()[0] == 0
    raters.end_session(con, token)
    assert auth.load_session(con, token) is None
    short, _ = raters.start_session(con, "alice", lifetime_s=60)
    con.execute(
        "update review_sessions set expires_at = ? where ended_at is null", [datetime.now() - timedelta(seconds=1)]
    )
    assert auth.load_session(con, short) is None
    assert auth.load_session(con, "made-up") is None


def test_tokens_match():
    assert auth.tokens_match("abc", "abc")
    assert not auth.tokens_match("abc", "abd")
    assert not auth.tokens_match("abc", None)
    assert not auth.tokens_match(None, None)
    assert not auth.tokens_match("", "")


def test_throttle_limits_guesses_per_account_and_address_and_forgets_after_the_window():
    now = [1000.0]
    throttle = auth.LoginThrottle(max_failures=3, window_s=60, clock=lambda: now[0], max_account_failures=5)
    for _ in range(3):
        assert throttle.begin("alice", "10.0.0.1")
        throttle.finish("alice", "10.0.0.1", succeeded=False)
    assert not throttle.begin("alice", "10.0.0.1")  # this address is out of guesses for alice
    assert throttle.begin("alice", "10.0.0.2")  # the rater herself, elsewhere, is not locked out
    throttle.finish("alice", "10.0.0.2", succeeded=True)
    assert throttle.begin("bob", "10.0.0.1")  # and bob is not locked out by alice's attacker
    throttle.finish("bob", "10.0.0.1", succeeded=True)
    for address in ("10.0.0.3", "10.0.0.4"):  # guesses spread over addresses meet the account limit
        assert throttle.begin("alice", address)
        throttle.finish("alice", address, succeeded=False)
    assert not throttle.begin("alice", "10.0.0.5")
    now[0] += 61
    assert throttle.begin("alice", "10.0.0.1")


def test_reserved_attempts_count_before_their_passwords_are_checked():
    throttle = auth.LoginThrottle(max_failures=5)
    granted = sum(throttle.begin("alice", "10.0.0.1") for _ in range(40))  # 40 at once, none settled yet
    assert granted == 5


def test_the_review_command_trusts_forwarded_addresses_only_from_its_proxy():
    from dialogic.cli.review import server_config

    plain = server_config(object(), "127.0.0.1", 8765, None)
    assert plain.proxy_headers is False
    behind = server_config(object(), "127.0.0.1", 8765, "10.1.2.3")
    assert behind.proxy_headers is True and behind.forwarded_allow_ips == "10.1.2.3"
