import re

import duckdb
import pytest

from dialogic.db import apply_migrations, connect, create_views, list_macro_files, list_migrations, list_view_files
from dialogic.errors import StoreError


def test_fresh_database_has_every_migration_and_view(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    applied = [r[0] for r in con.execute("select version from schema_migrations order by version").fetchall()]
    assert applied == [v for v, _ in list_migrations()]
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"meetings", "participants", "speakers", "turns", "utterances", "words", "pipeline_runs", "tags"} <= tables
    views = {p.stem for p in list_view_files()}
    assert views and views <= tables  # views are listed in information_schema.tables too
    macros = {p.stem for p in list_macro_files()}
    defined = {
        r[0]
        for r in con.execute(
            "select function_name from duckdb_functions() where function_type like '%macro'"
        ).fetchall()
    }
    assert (
        {"compute_speaker_roles", "voice_of", "compute_utterance_facts", "voice_share_window_at"} <= macros <= defined
    )


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "a.duckdb"
    connect(path).close()
    con = connect(path)
    assert apply_migrations(con) == []
    assert con.execute("select count(*) from schema_migrations").fetchone()[0] == len(list_migrations())


def test_read_only_connection_refuses_writes(tmp_path):
    path = tmp_path / "a.duckdb"
    connect(path).close()
    con = connect(path, read_only=True)
    with pytest.raises(duckdb.Error):
        con.execute("delete from meetings")


def test_read_only_on_missing_file_names_it(tmp_path):
    with pytest.raises(StoreError, match="missing.duckdb: no such database"):
        connect(tmp_path / "missing.duckdb", read_only=True)


def test_not_a_database_names_the_file(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_text("not a database")
    with pytest.raises(StoreError, match="junk.duckdb: cannot open database"):
        connect(path)


def test_every_sql_file_has_a_leading_comment_and_one_current_definition_per_macro():
    files = [p for _, p in list_migrations()] + list_view_files() + list_macro_files()
    bad = [p.name for p in files if not p.read_text().lstrip().startswith("--")]
    assert bad == [], "each SQL file starts with a comment stating its grain or purpose"
    # macros live in sql/macros/ alone, one per file named after it
    defining = [
        p.name
        for _, p in list_migrations()
        if re.search(r"^\s*create\s+(or\s+replace\s+)?macro", p.read_text(), re.I | re.M)
    ]
    assert defining == []
    for path in list_macro_files():
        names = re.findall(r"create\s+or\s+replace\s+macro\s+(\w+)", path.read_text(), re.I)
        assert names == [path.stem], path.name


def test_a_changed_macro_rebuilds_the_facts_and_an_unchanged_one_does_not(tmp_path):
    from builders import build_fixture_db

    con = build_fixture_db(tmp_path / "f.duckdb")
    built = con.execute("select facts_built_at from macro_state").fetchone()[0]
    con.execute("delete from utterance_facts")  # facts now stale: only a rebuild brings them back
    apply_migrations(con)
    assert con.execute("select count(*) from utterance_facts").fetchone()[0] == 0  # same macros: no rebuild
    con.execute("update macro_state set macros_sha256 = 'from an older dialogic'")
    apply_migrations(con)
    assert con.execute("select count(*) from utterance_facts").fetchone()[0] == 10
    assert con.execute("select facts_built_at from macro_state").fetchone()[0] > built
    con.close()


def test_views_are_recreated_over_stale_views_they_read(tmp_path):
    # a_reader reads a column that only the new z_source has: retried after z_source is replaced.
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    con.execute("create view z_source as select 1 as old_column")
    (tmp_path / "a_reader.sql").write_text("-- one row\nselect new_column from z_source")
    (tmp_path / "z_source.sql").write_text("-- one row\nselect 2 as new_column")
    create_views(con, sorted(tmp_path.glob("*.sql")))
    assert con.execute("select * from a_reader").fetchall() == [(2,)]
    # a view that can never bind is still reported, with its file name
    (tmp_path / "b_broken.sql").write_text("-- one row\nselect no_such_column from z_source")
    with pytest.raises(StoreError, match="b_broken.sql: Binder Error"):
        create_views(con, sorted(tmp_path.glob("*.sql")))
    con.close()
