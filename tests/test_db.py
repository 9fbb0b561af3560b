import re

import duckdb
import pytest

import dialogic.db
from dialogic.db import apply_migrations, connect, create_views, list_migrations, list_views
from dialogic.errors import StoreError


def test_fresh_database_has_every_migration_and_view(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    applied = [r[0] for r in con.execute("select version from schema_migrations order by version").fetchall()]
    assert applied == [v for v, _ in list_migrations()]
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"meetings", "participants", "speakers", "turns", "utterances", "words", "pipeline_runs", "tags"} <= tables
    views = {p.stem for p in list_views() if not re.search(r"create\s+(or\s+replace\s+)?macro", p.read_text(), re.I)}
    assert views <= tables  # views are listed in information_schema.tables too
    macros = {p.stem for p in list_views()} - views
    defined = {r[0] for r in con.execute("select function_name from duckdb_functions() where function_type = 'table_macro'").fetchall()}
    assert macros <= defined


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


def test_migration_files_are_numbered_and_every_view_file_has_a_grain_comment():
    versions = [v for v, _ in list_migrations()]
    assert versions == sorted(set(versions))
    for path in list_views():
        first = path.read_text().lstrip().splitlines()[0]
        assert first.startswith("--"), f"{path.name} must start with a comment stating its grain"


def test_views_are_recreated_over_stale_views_they_read(tmp_path, monkeypatch):
    # a_reader reads a column that only the new z_source has: retried after z_source is replaced.
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    con.execute("create view z_source as select 1 as old_column")
    (tmp_path / "a_reader.sql").write_text("-- one row\nselect new_column from z_source")
    (tmp_path / "z_source.sql").write_text("-- one row\nselect 2 as new_column")
    monkeypatch.setattr(dialogic.db, "list_views", lambda: sorted(tmp_path.glob("*.sql")))
    create_views(con)
    assert con.execute("select * from a_reader").fetchall() == [(2,)]
    # a view that can never bind is still reported, with its file name
    (tmp_path / "b_broken.sql").write_text("-- one row\nselect no_such_column from z_source")
    with pytest.raises(StoreError, match="b_broken.sql: Binder Error"):
        create_views(con)
    con.close()
