"""dialogic.store.facts: the analytics fact tables stay equal to what their macros compute."""

from __future__ import annotations

import pytest
from builders import build_fixture_db, insert, refresh, turn

from dialogic.db import connect, transaction
from dialogic.store.facts import FACT_TABLES, refresh_all_facts, refresh_current_tagger_facts, refresh_meeting_facts


def fact_rows(con) -> dict[str, list[tuple]]:
    return {table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr) for table in FACT_TABLES}


def test_refresh_all_facts_equals_refreshing_each_meeting(tmp_path):
    con = build_fixture_db(tmp_path / "facts.duckdb")  # refreshed meeting by meeting
    # fx's diarised turns all carry words; one after its last utterance gives wordless_speech_facts a row
    insert(con, "turns", turn("fx", "overlap", 9, "S1", 58.0, 59.0))
    refresh(con, "fx")
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
    left = {
        table: con.execute(f"select count(*) from {table} where meeting_id = 'fy'").fetchone()[0]
        for table in FACT_TABLES
    }
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


def test_facts_are_built_for_a_database_made_before_them(tmp_path):
    # An old database: base rows present, no facts tables, no macros, migrations 005, 007 (which
    # amends 005's tables), 008 (the macros' state), 062 (wordless speech), 063 (long tag facts) and
    # 064 (meeting × tag facts) not recorded.
    path = tmp_path / "old.duckdb"
    con = build_fixture_db(path)
    expected = fact_rows(con)
    for table in FACT_TABLES:
        con.execute(f"drop table {table} cascade")
    macros = con.execute(
        "select distinct function_name from duckdb_functions() "
        "where function_type = 'table_macro' and function_name like 'compute_%'"
    ).fetchall()
    for (macro,) in macros:
        con.execute(f"drop macro table {macro}")
    con.execute("drop table macro_state")
    con.execute("delete from schema_migrations where version in (5, 7, 8, 9, 62, 63, 64)")
    con.close()
    con = connect(path)  # applies 005, 007, 008 and 009, then creates the macros and builds the facts
    assert fact_rows(con) == expected
    assert con.execute(
        "select speech_pct from voice_share_role where meeting_id = 'fx' and role = 'clinician'"
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
