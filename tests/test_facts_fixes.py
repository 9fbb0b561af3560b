"""Migration 007: meeting_facts without tagger_activated_at, windows ending at the last utterance,
and existing databases upgraded from 006 with correct facts."""

from __future__ import annotations

import re
import time

import pytest
from builders import build_fixture_db, insert, participant, utterance
from fakes import RoleEcho

from dialogic.db import connect, list_migrations, transaction
from dialogic.paths import sql_dir
from dialogic.store.facts import FACT_TABLES, refresh_meeting_facts
from dialogic.store.tags import tag_meeting

ASSERTIONS = sorted((sql_dir() / "tests").glob("assert_*.sql"))


def failures(con) -> list[tuple]:
    return [(a.stem, *row) for a in ASSERTIONS for row in con.execute(a.read_text()).fetchall()]


def test_tagging_another_meeting_leaves_the_first_meetings_facts_fresh(tmp_path):
    # tag_meeting re-activates the version (activated_at = now) for every meeting it has tagged,
    # but refreshes only the meeting it tags: nothing stored may depend on activated_at.
    con = connect(tmp_path / "t.duckdb")
    for m in ("a", "b"):
        con.execute(
            "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) "
            "values (?, 'x.wav', 'given', ['analyse'])",
            [m],
        )
        insert(con, "participants", participant(m, "p1", "peer"))
        con.execute(
            "insert into speakers (meeting_id, speaker_label, participant_id, speech_s) values (?, 'S0', 'p1', 4)", [m]
        )
        insert(con, "utterances", utterance(m, 0, "S0", 0.0, 4.0, "I have been there too"))
    tag_meeting(con, "a", RoleEcho())
    first = con.execute("select activated_at from tagger_models").fetchone()[0]
    time.sleep(0.01)
    tag_meeting(con, "b", RoleEcho())
    current = con.execute("select activated_at from tagger_models").fetchone()[0]
    assert current > first  # the version moved after 'a' was tagged
    assert failures(con) == []
    got = con.execute("select meeting_id, model_version, activated_at from stg_current_tagger order by 1").fetchall()
    assert got == [("a", "fake-tagger-v1", current), ("b", "fake-tagger-v1", current)]
    columns = [r[0] for r in con.execute("describe meeting_facts").fetchall()]
    assert "tagger_activated_at" not in columns
    con.close()


def windows(con, query: str) -> dict[int, dict[str, tuple]]:
    got: dict[int, dict[str, tuple]] = {}
    for index, role, speech_s, word_count, utterance_count in con.execute(query).fetchall():
        got.setdefault(index, {})[role] = (speech_s, word_count, utterance_count)
    return got


def test_a_meeting_ending_on_a_window_boundary_has_no_empty_window_after_it(tmp_path):
    con = build_fixture_db(tmp_path / "w.duckdb")
    # fx's last utterance ends at 57 s = 3 × 19 s: windows 0, 1, 2 only.
    got = windows(
        con,
        "select window_index, role, speech_s, word_count, utterance_count "
        "from voice_share_window_at(19) where meeting_id = 'fx'",
    )
    assert sorted(got) == [0, 1, 2]
    assert got[2]["clinician"] == (pytest.approx(5.0), 8, 1)  # u8, 52–57 s
    # Stretch u8 to end at 120 s: the stored 2-minute windows stop at window 0.
    with transaction(con):
        con.execute("update utterances set end_s = 120.0 where utterance_id = 'fx/u00008'")
        refresh_meeting_facts(con, "fx")
    got = windows(
        con,
        "select window_index, role, speech_s, word_count, utterance_count "
        "from voice_share_window where meeting_id = 'fx'",
    )
    assert sorted(got) == [0]
    assert got[0]["clinician"] == (pytest.approx(87.0), 24, 3)
    con.close()


def test_a_zero_length_utterance_on_a_boundary_counts_in_its_window(tmp_path):
    con = build_fixture_db(tmp_path / "w.duckdb")
    with transaction(con):
        insert(con, "utterances", utterance("fx", 9, "S1", 57.0, 57.0, "ok"))
        refresh_meeting_facts(con, "fx")
    got = windows(
        con,
        "select window_index, role, speech_s, word_count, utterance_count "
        "from voice_share_window_at(19) where meeting_id = 'fx'",
    )
    assert sorted(got) == [0, 1, 2, 3]  # window 3 = [57, 76) holds the 0-s utterance
    assert got[3]["network"] == (0, 1, 1)
    assert sum(c for _, _, c in got[3].values()) == 1
    assert con.execute(
        "select count(*) from voice_share_window_at(19) where meeting_id = 'fx' "
        "and window_index = 3 and speech_pct is not null"
    ).fetchone() == (0,)
    con.close()


# stg_current_tagger as it was before 007: it read the column 007 drops
_OLD_STG_CURRENT_TAGGER = """
create or replace view stg_current_tagger as
select meeting_id, tagger_model_version as model_version, tagger_activated_at as activated_at
from meeting_facts
where tagger_model_version is not null
"""


def _migration(version: int) -> str:
    return next(p for v, p in list_migrations() if v == version).read_text()


def test_a_database_at_006_is_upgraded_and_its_facts_rebuilt(tmp_path):
    # A database migrated to 006: meeting_facts and utterance_facts still have the columns 007
    # drops, no macro_state, the old stg_current_tagger view, and window_facts as 005's macros
    # made them (fx's last utterance ends on the 2-minute boundary: an empty window 1).
    path = tmp_path / "old.duckdb"
    con = build_fixture_db(path)
    with transaction(con):
        con.execute("update utterances set end_s = 120.0 where utterance_id = 'fx/u00008'")
        refresh_meeting_facts(con, "fx")
    expected = {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in FACT_TABLES}
    con.execute("alter table meeting_facts add column tagger_activated_at timestamp")
    for column in ("turn_previous_role", "turn_next_role"):
        con.execute(f"alter table utterance_facts add column {column} varchar")
    con.execute("alter table utterance_facts add column turn_next_start_s double")
    insert(
        con,
        "window_facts",
        {
            "meeting_id": "fx",
            "window_index": 1,
            "role": "clinician",
            "window_start_s": 120.0,
            "window_end_s": 240.0,
            "speech_s": 0.0,
            "speech_pct": None,
            "word_count": 0,
            "utterance_count": 0,
        },
    )
    con.execute(_OLD_STG_CURRENT_TAGGER)
    # and nothing that migrations 008 and later add: undo them newest first (a later migration may
    # add a column to a table an earlier one creates), each its columns before its tables
    # (utterance_facts first gets back the wide tag columns of 005 that 063 moves to utterance_tag_facts)
    for column, kind in re.findall(r"^    (\w+_(?:p|label))\s+(double|boolean),?$", _migration(5), re.M):
        con.execute(f"alter table utterance_facts add column {column} {kind}")
    for version, migration in sorted(list_migrations(), reverse=True):
        if version < 8:
            continue
        text = migration.read_text()
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        for table, column in re.findall(r"^alter table (\w+) add column (\w+)", text, re.M):
            columns = {r[0] for r in con.execute(f"describe {table}").fetchall()} if table in tables else set()
            if column in columns:  # not a table this migration makes and renames (020's, 063's rebuilds)
                con.execute(f"alter table {table} drop column {column}")
        for table in re.findall(r"^create table (\w+)", text, re.M):
            con.execute(f"drop table if exists {table}")
        for sequence in re.findall(r"^create sequence (\w+)", text, re.M):
            con.execute(f"drop sequence {sequence}")
    con.execute("delete from schema_migrations where version >= 7")
    con.close()

    con = connect(path)  # applies 007 and later, recreates the macros, rebuilds the facts, then the views
    assert con.execute("select max(version) from schema_migrations").fetchone()[0] == max(
        v for v, _ in list_migrations()
    )
    assert "tagger_activated_at" not in [r[0] for r in con.execute("describe meeting_facts").fetchall()]
    assert con.execute("select max(window_index) from window_facts where meeting_id = 'fx'").fetchone() == (0,)
    assert failures(con) == []
    assert {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in FACT_TABLES} == expected
    assert con.execute("select model_version from stg_current_tagger").fetchall() == [("tagger-v2",)]
    con.close()


def test_speaker_roles_give_the_voice_and_role_of_every_speaker(tmp_path):
    con = build_fixture_db(tmp_path / "r.duckdb")
    got = con.execute(
        "select speaker_label, participant_id, role, voice_of(participant_id, speaker_label), "
        "role_of(role) from compute_speaker_roles('fx') order by speaker_label"
    ).fetchall()
    assert got == [
        ("S0", "su", "service_user", "su", "service_user"),
        ("S1", "mum", "network", "mum", "network"),
        ("S2", "doc", "clinician", "doc", "clinician"),
        ("S3", "peer1", "peer", "peer1", "peer"),
        ("S4", None, None, "unmapped:S4", "unknown"),
    ]
    assert con.execute("select voice_of(null, null), role_of(null)").fetchone() == ("unmapped:none", "unknown")
    assert con.execute("select count(*) from compute_speaker_roles(null)").fetchone() == (6,)
    con.close()
