"""dialogic.analytics: read-only queries and view exports on a real DuckDB file."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest

from conftest import build_two_utterance_db

from dialogic.analytics import (
    FACT_TABLES,
    export_view,
    list_views,
    refresh_all_facts,
    refresh_current_tagger_facts,
    refresh_meeting_facts,
    run_query,
    write_frame,
)
from dialogic.db import connect, transaction
from dialogic.errors import LookupFailed, QueryError, StoreError


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "analytics.duckdb"
    return build_two_utterance_db(path)


def test_run_query_returns_view_rows(db_path):
    frame = run_query(db_path, "select role, speech_pct from voice_share_role order by role")
    assert frame.to_dicts() == [{"role": "clinician", "speech_pct": 75.0}, {"role": "service_user", "speech_pct": 25.0}]


@pytest.mark.parametrize("statement", [
    "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) values ('x', 'x', 'granted', [])",
    "create table scratch (a integer)",
    "drop view balance",
])
def test_run_query_refuses_writes(db_path, statement):
    with pytest.raises(QueryError, match="read-only"):
        run_query(db_path, statement)
    # and the database is unchanged
    assert run_query(db_path, "select count(*) as n from meetings").item() == 1


def test_run_query_reports_bad_sql(db_path):
    with pytest.raises(QueryError, match="no_such_view"):
        run_query(db_path, "select * from no_such_view")


def test_run_query_needs_an_existing_database(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        run_query(tmp_path / "missing.duckdb", "select 1")
    assert not (tmp_path / "missing.duckdb").exists()


def test_run_query_without_result_set(db_path):
    assert run_query(db_path, "set threads = 1").height == 0


def test_write_frame_formats(tmp_path):
    frame = pl.DataFrame({"role": ["peer"], "speech_pct": [12.5]})
    assert write_frame(frame, "csv", None) == "role,speech_pct\npeer,12.5\n"
    assert json.loads(write_frame(frame, "json", None)) == [{"role": "peer", "speech_pct": 12.5}]
    write_frame(frame, "parquet", tmp_path / "out.parquet")
    assert pl.read_parquet(tmp_path / "out.parquet").equals(frame)
    with pytest.raises(QueryError, match="--output"):
        write_frame(frame, "parquet", None)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_view_writes_every_row(db_path, tmp_path, fmt):
    out = tmp_path / "exports" / f"voice_share_participant.{fmt}"
    summary = export_view(db_path, "voice_share_participant", fmt, out)
    assert (summary.row_count, summary.path) == (2, out)
    written = pl.read_parquet(out) if fmt == "parquet" else pl.read_csv(out)
    assert sorted(written["voice_id"].to_list()) == ["a", "b"]
    assert sorted(written["speech_s"].to_list()) == [3.0, 9.0]


def test_export_view_default_path_is_view_name(db_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    summary = export_view(db_path, "balance", "csv")
    assert summary.path.name == "balance.csv" and (tmp_path / "balance.csv").exists()


def test_export_view_unknown_name_lists_views(db_path, tmp_path):
    with pytest.raises(LookupFailed, match="voice_share_role"):
        export_view(db_path, "no_such_view", "csv", tmp_path / "x.csv")


def test_export_view_rejects_other_formats(db_path, tmp_path):
    with pytest.raises(QueryError, match="parquet, csv"):
        export_view(db_path, "balance", "xlsx", tmp_path / "x.xlsx")


def test_list_views_includes_analytics_views(db_path):
    names = list_views(db_path)
    assert {"stg_utterances", "voice_share_role", "balance", "sdm_option5_proxy"} <= set(names)


def test_read_only_connection_does_not_block_other_readers(db_path):
    # Two analysts may query at once: read-only connections share the file.
    other = duckdb.connect(str(db_path), read_only=True)
    try:
        assert run_query(db_path, "select count(*) as n from utterances").item() == 2
    finally:
        other.close()


# --- analytics facts -------------------------------------------------------------------------

from test_views import build_fixture_db  # noqa: E402  (the hand-computed fixture meetings)


def fact_rows(con) -> dict[str, list[tuple]]:
    return {table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr) for table in FACT_TABLES}


def test_refresh_all_facts_equals_refreshing_each_meeting(tmp_path):
    con = build_fixture_db(tmp_path / "facts.duckdb")  # refreshed meeting by meeting
    per_meeting = fact_rows(con)
    assert all(per_meeting[table] for table in FACT_TABLES)  # the comparison below is not vacuous
    with transaction(con):
        refresh_all_facts(con)
    assert fact_rows(con) == per_meeting
    con.close()


def test_refresh_meeting_facts_rewrites_only_that_meeting(tmp_path):
    con = build_fixture_db(tmp_path / "facts.duckdb")
    con.execute("update utterances set end_s = 6.0 where meeting_id = 'fy'")
    con.execute("update utterances set end_s = 58.0 where utterance_id = 'fx/u00008'")
    with transaction(con):
        refresh_meeting_facts(con, "fy")
    speech = dict(con.execute("select meeting_id, speech_s from meeting_facts").fetchall())
    assert speech == {"fx": 50.0, "fy": 6.0}  # fx still has its old facts until it is refreshed
    with transaction(con):
        refresh_meeting_facts(con, "fx")
    assert con.execute("select speech_s from meeting_facts where meeting_id = 'fx'").fetchone() == (51.0,)
    con.close()


def test_refresh_meeting_facts_clears_a_meeting_without_utterances(tmp_path):
    con = build_fixture_db(tmp_path / "facts.duckdb")
    con.execute("delete from utterances where meeting_id = 'fy'")
    with transaction(con):
        refresh_meeting_facts(con, "fy")
    left = {table: con.execute(f"select count(*) from {table} where meeting_id = 'fy'").fetchone()[0]
            for table in FACT_TABLES}
    assert left == {table: 0 for table in FACT_TABLES}
    assert con.execute("select count(*) from utterance_facts where meeting_id = 'fx'").fetchone() == (9,)
    con.close()


def test_refresh_meeting_facts_rolls_back_with_the_callers_transaction(tmp_path):
    con = build_fixture_db(tmp_path / "facts.duckdb")
    before = fact_rows(con)
    with pytest.raises(RuntimeError):
        with transaction(con):
            con.execute("delete from utterances where meeting_id = 'fx'")
            refresh_meeting_facts(con, "fx")
            assert con.execute("select count(*) from utterance_facts where meeting_id = 'fx'").fetchone() == (0,)
            raise RuntimeError("the writer failed after refreshing")
    assert fact_rows(con) == before
    con.close()


def test_migration_005_backfills_a_database_made_before_it(tmp_path):
    # An old database: base rows present, no facts tables, migrations 005 and 007 (which amends
    # 005's tables and macros) not recorded.
    path = tmp_path / "old.duckdb"
    con = build_fixture_db(path)
    expected = fact_rows(con)
    for table in FACT_TABLES:
        con.execute(f"drop table {table} cascade")
    macros = con.execute("select distinct function_name from duckdb_functions() "
                         "where function_type = 'table_macro' and function_name like 'compute_%'").fetchall()
    for (macro,) in macros:
        con.execute(f"drop macro table {macro}")
    con.execute("delete from schema_migrations where version in (5, 7)")
    con.close()
    con = connect(path)  # applies 005, which back-fills, then 007
    assert fact_rows(con) == expected
    assert con.execute("select speech_pct from voice_share_role where meeting_id = 'fx' and role = 'clinician'"
                       ).fetchone() == (48.0,)
    con.close()


def test_refresh_current_tagger_facts_follows_a_reactivated_version(tmp_path):
    # Re-registering tagger-v1 (as tag_meeting does for another meeting) makes it fx's current
    # version again although fx was not re-tagged: only fx's facts must change.
    con = build_fixture_db(tmp_path / "facts.duckdb")
    with transaction(con):
        assert refresh_current_tagger_facts(con) == []  # everything fresh: nothing to do
        con.execute("update tagger_models set activated_at = timestamp '2025-01-01' where model_version = 'tagger-v1'")
        assert refresh_current_tagger_facts(con) == ["fx"]
    assert con.execute("select model_version from stg_current_tagger").fetchall() == [("tagger-v1",)]
    # v1 said persuasion on every utterance
    assert con.execute("select count(*) from stg_tag_hits where tag = 'persuasion'").fetchone() == (9,)
    con.close()
