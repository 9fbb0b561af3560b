"""dialogic.queries: read-only queries and view exports on a real DuckDB file."""

from __future__ import annotations

import json

import polars as pl
import pytest
from builders import build_two_utterance_db

from dialogic.errors import LookupFailed, QueryError, StoreError
from dialogic.queries import export_view, list_views, run_query, write_frame


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "analytics.duckdb"
    return build_two_utterance_db(path)


def test_run_query_returns_view_rows(db_path):
    frame = run_query(db_path, "select role, speech_pct from voice_share_role order by role")
    assert frame.to_dicts() == [{"role": "clinician", "speech_pct": 75.0}, {"role": "service_user", "speech_pct": 25.0}]


@pytest.mark.parametrize(
    "statement",
    [
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) values ('x', 'x', 'granted', [])",
        "create table scratch (a integer)",
        "drop view balance",
    ],
)
def test_run_query_refuses_writes(db_path, statement):
    with pytest.raises(QueryError, match="runs one SELECT statement only"):
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


def test_run_query_refuses_a_statement_without_a_result_set(db_path):
    with pytest.raises(QueryError, match="this is a SET statement; nothing was run"):
        run_query(db_path, "use main")


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
    # Two analysts may query at once: read-only connections share the file. (In one process DuckDB
    # wants one configuration per file: the other analyst's connection is sandboxed too.)
    from dialogic.db import connect
    from dialogic.queries import SandboxLimits

    other = connect(db_path, read_only=True, sandboxed=True, memory_limit=SandboxLimits.resolve().memory_text)
    try:
        assert run_query(db_path, "select count(*) as n from utterances").item() == 2
    finally:
        other.close()
