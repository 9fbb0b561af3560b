"""`dialogic sql` and `dialogic export-view` through the real typer app."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
from builders import build_two_utterance_db
from typer.testing import CliRunner

from dialogic.cli import app

runner = CliRunner()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "cli.duckdb"
    return build_two_utterance_db(path)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sql_csv_to_stdout(db_path):
    result = invoke(
        "sql", "select role, speech_pct from voice_share_role order by role", "--db", db_path, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "role,speech_pct\nclinician,75.0\nservice_user,25.0\n"


def test_sql_json_and_table(db_path):
    result = invoke("sql", "select service_user_speech_pct from balance", "--db", db_path, "--format", "json")
    assert json.loads(result.stdout) == [{"service_user_speech_pct": 25.0}]
    table = invoke("sql", "select voice_id, speech_s from voice_share_participant order by 1", "--db", db_path)
    assert table.exit_code == 0
    assert "voice_id" in table.stdout and "9.0" in table.stdout


def test_sql_parquet_needs_output(db_path, tmp_path):
    assert invoke("sql", "select 1 as one", "--db", db_path, "--format", "parquet").exit_code == 1
    out = tmp_path / "one.parquet"
    result = invoke("sql", "select 1 as one", "--db", db_path, "--format", "parquet", "--output", out)
    assert result.exit_code == 0
    assert pl.read_parquet(out)["one"].to_list() == [1]


def test_sql_write_statement_fails_clearly(db_path):
    result = invoke("sql", "delete from utterances", "--db", db_path)
    assert result.exit_code == 1
    assert "runs one SELECT statement only" in result.stderr and "DELETE" in result.stderr
    assert "Traceback" not in result.output


def test_sql_db_defaults_to_dialogic_db_env(db_path, monkeypatch):
    monkeypatch.setenv("DIALOGIC_DB", str(db_path))
    result = invoke("sql", "select count(*) as n from utterances", "--format", "csv")
    assert result.stdout == "n\n2\n"


def test_sql_unknown_format(db_path):
    result = invoke("sql", "select 1", "--db", db_path, "--format", "xml")
    assert result.exit_code == 1 and "expected one of" in result.stderr


def test_export_view_csv(db_path, tmp_path):
    out = tmp_path / "vsr.csv"
    result = invoke("export-view", "voice_share_role", "--format", "csv", "--output", out, "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "wrote 2 rows" in result.stdout
    assert sorted(pl.read_csv(out)["role"].to_list()) == ["clinician", "service_user"]


def test_export_view_unknown_view(db_path, tmp_path):
    result = invoke("export-view", "nope", "--output", tmp_path / "x.parquet", "--db", db_path)
    assert result.exit_code == 1 and "no view or table named 'nope'" in result.stderr


@pytest.mark.parametrize("command", ["sql", "export-view"])
def test_help_has_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"dialogic {command} " in result.stdout


# Each way out of a read-only query that was tried against `dialogic sql`: none may read or write
# outside the database, change a setting, load code, or open a database for writing.
ATTACKS = {
    "copy to a file": "copy (select * from utterances) to '{tmp}/leak.csv'",
    "export the database": "export database '{tmp}/dump'",
    "read another file": "select * from read_text('/etc/shadow')",
    "read a csv": "select * from read_csv('/etc/passwd')",
    "list files": "select * from glob('/etc/*')",
    "attach another database": "attach '{tmp}/other.duckdb' as other",
    "attach this one through a hard link": "attach '{tmp}/link.duckdb' as same",
    "install an extension": "install httpfs",
    "load an extension": "load httpfs",
    "turn the sandbox off": "set enable_external_access = true",
    "change a setting": "set threads = 1",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_sql_refuses_every_way_out(db_path, tmp_path, attack):
    import duckdb

    other = duckdb.connect(str(tmp_path / "other.duckdb"))
    other.execute("create table secret as select 'consent given' as status")
    other.close()
    os.link(db_path, tmp_path / "link.duckdb")
    before = sorted(p.name for p in tmp_path.iterdir())
    query = ATTACKS[attack].format(tmp=tmp_path)
    result = runner.invoke(app, ["sql", query, "--db", str(db_path)])
    assert result.exit_code == 1, (attack, result.output)
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    check = duckdb.connect(str(tmp_path / "other.duckdb"), read_only=True)
    assert check.execute("select status from secret").fetchall() == [("consent given",)]
    check.close()


def test_version_prints_the_version():
    import dialogic

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == dialogic.__version__


def test_a_wide_result_shows_every_column_name_whole_and_rounds_floats(db_path):
    result = runner.invoke(app, ["sql", "select * from balance", "--db", str(db_path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for column in ("voice_entropy_bits", "professional_to_lay_ratio", "service_user_speech_pct"):
        assert column in result.output
    assert "0.811" in result.output and "0.8112781" not in result.output  # 3 decimals in the table


def test_csv_writes_list_columns_as_json_text(db_path):
    result = runner.invoke(
        app, ["sql", "select meeting_id, consent_scope from meetings", "--format", "csv", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["meeting_id,consent_scope", 'm1,"[""transcribe"", ""analyse"", ""review""]"']
