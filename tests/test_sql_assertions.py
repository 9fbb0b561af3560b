"""Run every zero-row assertion query in sql/tests/ on the fixture meeting and a small synthetic DB."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from builders import build_fixture_db

from dialogic.db import connect, transaction
from dialogic.paths import sql_dir
from dialogic.store.facts import refresh_meeting_facts

ASSERTIONS = sorted((sql_dir() / "tests").glob("assert_*.sql"))
_REPO = Path(__file__).resolve().parent.parent


def _load_synth_module():
    spec = importlib.util.spec_from_file_location("synth_db", _REPO / "benchmarks" / "synth_db.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    base = tmp_path_factory.mktemp("assertions")
    synth = _load_synth_module()
    synth.make_synthetic_db(base / "synth.duckdb", synth.SynthOptions(meeting_count=20, utterances_per_meeting=150))
    build_fixture_db(base / "fixture.duckdb").close()
    return {"fixture": base / "fixture.duckdb", "synthetic": base / "synth.duckdb"}


def failures(db_path: Path, assertion: Path) -> list[tuple]:
    con = connect(db_path, read_only=True)
    try:
        return con.execute(assertion.read_text()).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("assertion", ASSERTIONS, ids=lambda p: p.stem)
@pytest.mark.parametrize("db", ["fixture", "synthetic"])
def test_assertion_returns_no_rows(databases, db, assertion):
    assert failures(databases[db], assertion) == []


def test_synthetic_db_is_not_empty(databases):
    # The assertions above prove nothing on empty views.
    con = connect(databases["synthetic"], read_only=True)
    try:
        counts = con.execute(
            "select (select count(*) from voice_share_participant), (select count(*) from stg_overlaps), "
            "(select count(*) from stg_tag_hits), (select count(*) from sdm_preference_elicitation)"
        ).fetchone()
    finally:
        con.close()
    assert all(n > 0 for n in counts), counts


def test_every_view_has_an_assertion():
    views = [
        p.stem
        for p in (sql_dir() / "views").glob("*.sql")
        if not p.stem.startswith(("agreement_", "rating_", "rater_")) and "create macro" not in p.read_text()
    ]
    missing = [v for v in views if not any(a.stem.startswith(f"assert_{v}_") for a in ASSERTIONS)]
    assert missing == []


def test_assertions_catch_broken_data(tmp_path):
    # An utterance that ends before it starts, and two voices' shares that no longer add up.
    con = build_fixture_db(tmp_path / "broken.duckdb")
    with transaction(con):
        con.execute("update utterances set end_s = start_s - 1 where utterance_id = 'fx/u00003'")
        refresh_meeting_facts(con, "fx")
    con.close()
    by_name = {a.stem: a for a in ASSERTIONS}
    negative = failures(tmp_path / "broken.duckdb", by_name["assert_stg_utterances_unique_nonnegative"])
    assert ("negative duration_s", "fx", "fx/u00003") in negative
    window = failures(tmp_path / "broken.duckdb", by_name["assert_voice_share_window_shares_sum_to_100"])
    assert any(row[0] == "negative speech_s" or row[0].startswith("window speech differs") for row in window)


_FRESHNESS = [a for a in ASSERTIONS if a.stem.endswith("_facts_fresh")]


@pytest.mark.parametrize(
    "change",
    [
        "update utterances set end_s = end_s + 1 where utterance_id = 'fx/u00004'",
        "update utterances set text = 'one two three' where utterance_id = 'fx/u00004'",
        "delete from utterances where utterance_id = 'fx/u00008'",
        "insert into utterances by name select 'fx/u00009' as utterance_id, 'fx' as meeting_id, 9 as utterance_index, "
        "'S1' as speaker_label, 58.0 as start_s, 59.0 as end_s, 'yes' as text",
        "update speakers set participant_id = 'dad' where meeting_id = 'fx' and speaker_label = 'S4'",
        "update participants set role = 'other' where meeting_id = 'fx' and participant_id = 'mum'",
        "update tags set label = not label where utterance_id = 'fx/u00002' and tag = 'persuasion' "
        "and model_version = 'tagger-v2'",
        "update tagger_models set activated_at = timestamp '2025-01-01' where model_version = 'tagger-v1'",
        "update turns set end_s = 31.0 where meeting_id = 'fx' and turn_index = 2",
    ],
    ids=["end_s", "text", "deleted", "added", "mapped", "role", "tag", "activation", "overlap_track"],
)
def test_freshness_assertions_catch_unrefreshed_changes(tmp_path, change):
    # A writer that changes base rows without refresh_meeting_facts leaves stale facts: caught.
    con = build_fixture_db(tmp_path / "stale.duckdb")
    con.execute(change)
    con.close()
    assert [row for a in _FRESHNESS for row in failures(tmp_path / "stale.duckdb", a)] != []
    # ...and refreshing the meeting puts everything right again.
    con = connect(tmp_path / "stale.duckdb")
    with transaction(con):
        refresh_meeting_facts(con, "fx")
    con.close()
    assert [row for a in ASSERTIONS for row in failures(tmp_path / "stale.duckdb", a)] == []


@pytest.mark.parametrize(
    "change, failure",
    [
        (
            "update utterance_tag_facts set candidate = not candidate where utterance_id = 'fx/u00002' "
            "and tag = 'persuasion'",
            "stale meeting_tag_facts: values differ",
        ),
        ("delete from meeting_tag_facts where tag = 'persuasion'", "stale meeting_tag_facts: scored tag without facts"),
        (
            "insert into meeting_tag_facts select * replace ('nobody_asked' as tag) from meeting_tag_facts "
            "where tag = 'persuasion'",
            "stale meeting_tag_facts: row that no longer holds",
        ),
    ],
    ids=["candidate", "missing", "extra"],
)
def test_meeting_tag_facts_freshness_names_the_stale_row(tmp_path, change, failure):
    # The meeting × tag counts the SDM views read are checked against the facts they are computed
    # from: a candidate changed without a refresh, a lost row and a row no recomputation gives are
    # each named.
    con = build_fixture_db(tmp_path / "stale.duckdb")
    con.execute(change)
    con.close()
    found = failures(tmp_path / "stale.duckdb", sql_dir() / "tests" / "assert_meeting_tag_facts_fresh.sql")
    assert [row[0] for row in found] == [failure]
