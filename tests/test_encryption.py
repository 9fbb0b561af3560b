"""Encryption at rest on real DuckDB files: no byte of the content is readable without the key."""

from __future__ import annotations

import os

import duckdb
import pytest
from builders import build_fixture_db, insert, utterance
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.consent import withdraw_meeting
from dialogic.db import connect
from dialogic.encryption import close_encrypted, database_key
from dialogic.errors import StoreError
from dialogic.queries import run_query

KEY = "correct horse battery staple"
MARKER = "risperidone-zq81"


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("DIALOGIC_DB_KEY", KEY)
    monkeypatch.delenv("DIALOGIC_DB_KEY_FILE", raising=False)
    return KEY


def _bytes_of(path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + ".wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_the_key_comes_from_the_environment_or_an_owner_only_file(tmp_path):
    assert database_key({}) is None
    assert database_key({"DIALOGIC_DB_KEY": KEY}) == KEY
    with pytest.raises(StoreError, match="at least 16"):
        database_key({"DIALOGIC_DB_KEY": "short"})
    key_file = tmp_path / "db.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)
    with pytest.raises(StoreError, match="owner only"):
        database_key({"DIALOGIC_DB_KEY_FILE": str(key_file)})
    key_file.chmod(0o600)
    assert database_key({"DIALOGIC_DB_KEY_FILE": str(key_file)}) == KEY
    with pytest.raises(StoreError, match="not both"):
        database_key({"DIALOGIC_DB_KEY_FILE": str(key_file), "DIALOGIC_DB_KEY": KEY})
    with pytest.raises(StoreError, match="cannot read"):
        database_key({"DIALOGIC_DB_KEY_FILE": str(tmp_path / "missing.key")})


def test_an_encrypted_database_keeps_text_out_of_the_file_and_its_wal(tmp_path, keyed, monkeypatch):
    db = tmp_path / "study.duckdb"
    con = build_fixture_db(db)
    insert(con, "utterances", utterance("fx", 50, "S0", 58, 59, f"they offered {MARKER} again"))
    # Not checkpointed: the utterance is only in the write-ahead log so far.
    assert db.with_name(db.name + ".wal").exists()
    assert MARKER.encode() not in _bytes_of(db)
    assert b"they offered" not in _bytes_of(db)
    close_encrypted(db)
    assert MARKER.encode() not in _bytes_of(db)

    # With the key everything reads as before, views included.
    con = connect(db, read_only=True)
    assert con.execute("select count(*) from utterances where text like ?", [f"%{MARKER}%"]).fetchone() == (1,)
    assert con.execute("select count(*) from voice_share_role").fetchone()[0] > 0
    close_encrypted(db)

    # DuckDB alone, without the key, cannot open it; neither can dialogic, and it says why.
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(db), read_only=True)
    monkeypatch.delenv("DIALOGIC_DB_KEY")
    with pytest.raises(StoreError, match="encrypted; set DIALOGIC_DB_KEY"):
        connect(db, read_only=True)
    monkeypatch.setenv("DIALOGIC_DB_KEY", "a different key of some length")
    with pytest.raises(StoreError, match="key does not open"):
        connect(db, read_only=True)


def test_the_analyst_sandbox_holds_on_an_encrypted_database(tmp_path, keyed):
    db = tmp_path / "study.duckdb"
    build_fixture_db(db).close()
    close_encrypted(db)
    assert run_query(db, "select count(*) as n from meetings").rows() == [(2,)]
    secret = tmp_path / "secret.txt"
    secret.write_text("not for analysts")
    for attack in (
        f"select * from read_text('{secret}')",
        f"copy (select 1) to '{tmp_path / 'out.csv'}'",
        f"attach '{db}' as again",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        "set enable_external_access = true",
        "install spatial",
        # httpfs is loaded (its crypto writes the encrypted file); its reads stay shut
        "select * from read_csv('https://example.org/x.csv')",
    ):
        with pytest.raises(Exception):
            run_query(db, attack)
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_withdrawal_rewrites_an_encrypted_database_still_encrypted(tmp_path, keyed):
    db = tmp_path / "study.duckdb"
    con = build_fixture_db(db)
    insert(con, "utterances", utterance("fy", 50, "S0", 1, 2, f"{MARKER} marker"))
    con.close()
    withdraw_meeting(db, "fy", "form-7", by="dpo")
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(db), read_only=True)
    con = connect(db, read_only=True)
    assert con.execute("select count(*) from utterances where meeting_id = 'fy'").fetchone() == (0,)
    assert con.execute("select count(*) from utterances where meeting_id = 'fx'").fetchone()[0] > 0
    close_encrypted(db)


def test_cli_encrypts_in_place_and_decrypts_to_a_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("DIALOGIC_DB_KEY", raising=False)
    monkeypatch.delenv("DIALOGIC_DB_KEY_FILE", raising=False)
    db = tmp_path / "study.duckdb"
    con = build_fixture_db(db)
    insert(con, "utterances", utterance("fx", 50, "S0", 58, 59, MARKER))
    con.execute("checkpoint")
    con.close()
    assert MARKER.encode() in db.read_bytes()
    runner = CliRunner()
    refused = runner.invoke(app, ["db", "encrypt", "--db", str(db)])
    assert refused.exit_code == 1 and "DIALOGIC_DB_KEY" in refused.output

    key_file = tmp_path / "db.key"
    key_file.write_text(KEY)
    os.chmod(key_file, 0o600)
    env = {"DIALOGIC_DB_KEY_FILE": str(key_file)}
    done = runner.invoke(app, ["db", "encrypt", "--db", str(db)], env=env)
    assert done.exit_code == 0, done.output
    assert MARKER.encode() not in db.read_bytes()
    shown = runner.invoke(
        app, ["sql", "select text from utterances where utterance_index = 50", "--db", str(db)], env=env
    )
    assert shown.exit_code == 0 and MARKER in shown.output
    plain = tmp_path / "plain.duckdb"
    copied = runner.invoke(app, ["db", "decrypt", "--db", str(db), "--output", str(plain)], env=env)
    assert copied.exit_code == 0, copied.output
    with duckdb.connect(str(plain), read_only=True) as check:
        assert check.execute("select count(*) from utterances where text = ?", [MARKER]).fetchone() == (1,)
    again = runner.invoke(app, ["db", "decrypt", "--db", str(db), "--output", str(plain)], env=env)
    assert again.exit_code == 1 and "already exists" in again.output
