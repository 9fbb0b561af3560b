"""The analyst sandbox under attack: `dialogic sql` on a plain and on an encrypted database.

Every statement below is run through the real CLI on a real database folder that holds a
committed, not yet checkpointed update in its write-ahead log. After each one, no file of the
folder may have been created, changed or had its mode changed, and the database must still open
with every row, the WAL-only one included. ATTACKS must be refused with a one-line error; PROBES
are harmless reads that may run but must write nothing either.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from builders import build_two_utterance_db, insert, utterance
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.db import connect
from dialogic.encryption import close_encrypted

KEY = "correct horse battery staple"
WAL_ONLY_TEXT = "words only in the write-ahead log"
RUNAWAY = 1  # seconds: the time limit the runaway statements run under here

# {db}: the database file; {wal}: its write-ahead log; {dir}: its folder; {tmp}: its spill folder.
ATTACKS = [
    # COPY in every form: to the database's own files (allowed by DuckDB with external access off)
    "copy (select * from utterances) to '{wal}' (format csv, use_tmp_file false)",
    "copy (select * from utterances) to '{wal}' (format csv)",
    "copy (select * from utterances) to '{db}' (format csv, use_tmp_file false)",
    "copy (select * from utterances) to '{tmp}/spill.csv'",
    "copy (select * from utterances) to '{tmp}' (format parquet, per_thread_output true)",
    "copy (select * from utterances) to '{tmp}' (format csv, partition_by (meeting_id))",
    "copy utterances to '{wal}' (format parquet)",
    "copy utterances to '{wal}' (format json)",
    "copy (select text from utterances) to '{dir}/leak.txt' (header false)",
    "copy (select 1) to '{wal}' (format csv, overwrite_or_ignore true)",
    "COPY (SELECT * FROM utterances) TO '{wal}'",
    "/* comment */ copy (select 1) to '{wal}'",
    "  \n\tcopy (select 1) to '{wal}'",
    "copy utterances from '{wal}'",
    "copy utterances from '{dir}/x.csv'",
    "copy from database dialogic to memory",
    "copy from database main to memory",
    # EXPORT and IMPORT
    "export database '{tmp}'",
    "export database '{dir}/dump' (format parquet)",
    "import database '{dir}'",
    # a second statement after a harmless first one, however hidden
    "select 1; copy (select * from utterances) to '{wal}'",
    "select 1 as a;copy (select 1) to '{wal}'",
    "select ';' as a; copy (select 1) to '{wal}'",
    "select 1 -- comment\n; copy (select 1) to '{wal}'",
    "select 1; select 2",
    "select 1; checkpoint",
    "select 1; attach '{dir}/new.duckdb' as n",
    # EXPLAIN of a writing statement
    "explain copy (select 1) to '{wal}'",
    "explain analyze copy (select 1) to '{wal}'",
    "explain analyze select count(*) from utterances",
    # ATTACH, DETACH, USE
    "attach '{dir}/new.duckdb' as fresh",
    "attach '{db}' as again",
    "attach '{db}' as again (read_only false)",
    "attach '{wal}' as log",
    "attach '{tmp}/x.duckdb' as spill",
    "attach ':memory:' as scratch",
    "attach '{db}' as again (encryption_key 'a wrong key of some length')",
    "attach if not exists '{dir}/new.duckdb' as fresh",
    "detach dialogic",
    "detach database if exists main",
    "use memory",
    "use system.main",
    # extensions
    "install httpfs",
    "force install httpfs",
    "install spatial from core",
    "load httpfs",
    "load '{dir}/evil.duckdb_extension'",
    "update extensions",
    # settings, pragmas that change them or write files
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset lock_configuration",
    "set temp_directory = '{tmp}'",
    "set max_temp_directory_size = '100GB'",
    "set memory_limit = '100GB'",
    "reset memory_limit",
    "set threads = 1",
    "set log_query_path = '{dir}/queries.log'",
    "set profiling_output = '{dir}/profile.json'",
    "set allowed_directories = ['{dir}']",
    "set secret_directory = '{dir}'",
    "set extension_directory = '{dir}'",
    "set autoinstall_known_extensions = true",
    "set checkpoint_threshold = '1B'",
    "set wal_autocheckpoint = '1B'",
    "set global enable_progress_bar = true",
    "pragma enable_profiling",
    "pragma enable_profiling = 'json'",
    "pragma profiling_output = '{dir}/profile.json'",
    "pragma enable_checkpoint_on_shutdown",
    "pragma force_checkpoint",
    "pragma threads = 1",
    "pragma memory_limit = '100GB'",
    "call enable_logging()",
    "call pragma_version()",
    # checkpoints and maintenance
    "checkpoint",
    "force checkpoint",
    "checkpoint dialogic",
    "vacuum",
    "vacuum analyze utterances",
    "analyze",
    "call checkpoint()",
    "call force_checkpoint()",
    # changes to the evidence
    "insert into utterances select * from utterances",
    "insert or replace into meetings select * from meetings",
    "update utterances set text = 'changed'",
    "delete from meetings",
    "truncate utterances",
    "merge into utterances using utterances as u on false when not matched then insert *",
    "create table scratch (a integer)",
    "create or replace table utterances as select 1 as a",
    "create temp table scratch as select * from utterances",
    "create temp view v as select 1",
    "create view v as select 1",
    "create macro m() as 1",
    "create temp macro m() as 1",
    "create sequence s",
    "create type mood as enum ('calm')",
    "create index ix on utterances (text)",
    "create schema s",
    "create secret s (type s3, key_id 'x', secret 'y')",
    "create persistent secret p (type s3, key_id 'x', secret 'y')",
    "drop table utterances",
    "drop view balance",
    "drop macro analysable_meetings",
    "alter table utterances add column x integer",
    "alter table utterances rename to u",
    "comment on table utterances is 'x'",
    # transactions and prepared statements
    "begin transaction",
    "commit",
    "rollback",
    "prepare p as copy (select 1) to '{wal}'",
    "execute p",
    "deallocate p",
    # a PIVOT without its IN list creates an enum type first
    "pivot utterances on speaker_label using count(*)",
    # runaway statements: stopped by the time limit or the memory limit, nothing spilled
    "select sum(range) from range(100000000000)",
    "select count(*) from range(100000000) a, range(100000000) b",
    "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
    "select * from range(100000000) order by random()",
    "select a.range, count(*) from range(20000000) a join range(20000000) b using (range) group by all",
    "select list(range) from range(200000000)",
    "select * from range(1000000000)",
    "select string_agg(text, ' ') from utterances, range(50000000)",
]

PROBES = [
    "select * from utterances",
    "select count(*) from voice_share_role",
    "describe utterances",
    "summarize utterances",
    "pragma table_info('utterances')",
    "pragma database_size",
    "select * from checkpoint()",
    "select * from force_checkpoint()",
    "select * from read_text('/etc/hostname')",
    "select * from read_csv('{wal}')",
    "select * from read_blob('{wal}')",
    "select * from glob('{dir}/*')",
    "select * from query('copy (select 1) to ''{wal}''')",
    "select * from parquet_metadata('{wal}')",
    "select * from sniff_csv('{wal}')",
    "select current_setting('temp_directory')",
    "select repeat('x', 100000000) as big",
    "pivot utterances on speaker_label in ('S0', 'S1') using count(*)",
]


def test_the_attack_list_is_long_enough():
    assert len(ATTACKS) >= 100
    assert len(set(ATTACKS)) == len(ATTACKS) and len(set(PROBES)) == len(PROBES)


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def study(request, tmp_path_factory):
    """A database folder whose WAL holds a committed update no checkpoint has written yet."""
    folder = tmp_path_factory.mktemp(request.param)
    key = KEY if request.param == "encrypted" else None
    saved = {name: os.environ.pop(name, None) for name in ("DIALOGIC_DB_KEY", "DIALOGIC_DB_KEY_FILE")}
    if key:
        os.environ["DIALOGIC_DB_KEY"] = key
    db = build_two_utterance_db(folder / "study.duckdb")
    close_encrypted(db)
    con = connect(db)
    con.execute("pragma disable_checkpoint_on_shutdown")
    insert(con, "utterances", utterance("m1", 2, "S0", 14, 15, WAL_ONLY_TEXT))
    con.close()
    close_encrypted(db)
    assert (folder / "study.duckdb.wal").exists()
    yield db, key
    close_encrypted(db)
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


def folder_state(folder: Path) -> dict[str, tuple]:
    """Every file and folder under ``folder``: its mode, and for a file its sha256."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        state[str(path.relative_to(folder))] = (info.st_mode, digest)
    return state


def run_sql(db: Path, key: str | None, statement: str, time_limit_s: float = RUNAWAY):
    close_encrypted(db)  # as a fresh `dialogic sql` process would find it
    env = {"DIALOGIC_SQL_TIME_LIMIT_S": str(time_limit_s), "DIALOGIC_SQL_MEMORY_LIMIT": "200MB"}
    if key:
        env["DIALOGIC_DB_KEY"] = key
    query = statement.format(db=db, wal=f"{db}.wal", dir=db.parent, tmp=f"{db}.tmp")
    result = CliRunner().invoke(app, ["sql", query, "--db", str(db), "--format", "csv"], env=env)
    close_encrypted(db)
    return result


def assert_untouched(db: Path, before: dict) -> None:
    assert folder_state(db.parent) == before, "a file of the database folder was created or changed"
    con = connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from utterances").fetchone() == (3,)
        assert con.execute("select count(*) from utterances where text = ?", [WAL_ONLY_TEXT]).fetchone() == (1,)
    finally:
        con.close()
        close_encrypted(db)


@pytest.mark.parametrize("statement", ATTACKS)
def test_an_attack_is_refused_and_writes_nothing(study, statement):
    db, key = study
    before = folder_state(db.parent)
    result = run_sql(db, key, statement)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    assert_untouched(db, before)


@pytest.mark.parametrize("statement", PROBES)
def test_a_harmless_read_writes_nothing(study, statement):
    db, key = study
    before = folder_state(db.parent)
    result = run_sql(db, key, statement)
    assert "Traceback" not in result.output
    assert result.exit_code == 0 or result.output.startswith("error: "), result.output
    assert_untouched(db, before)


def test_a_runaway_statement_stops_at_the_time_limit_with_one_line(study):
    db, key = study
    result = run_sql(db, key, "select sum(range) from range(100000000000)")
    assert result.exit_code == 1
    assert f"stopped after {RUNAWAY} s" in result.output and "--time-limit" in result.output


def test_a_statement_that_needs_more_memory_stops_without_spilling(study):
    db, key = study
    result = run_sql(db, key, "select * from range(100000000) order by random()", time_limit_s=60)
    assert result.exit_code == 1
    assert "more memory than the sandbox allows" in result.output and "--memory-limit" in result.output
