"""Migration 063 (tags are data): a database made at 062, with tags, ratings and wide tag facts in
it, comes out with every row kept, no constraint or column naming a tag, and every view as it was."""

from __future__ import annotations

import re

import duckdb
from builders import build_review_db
from test_view_snapshots import _ratings, relations

from dialogic.db import connect, list_migrations, macros_sha256
from dialogic.paths import sql_dir
from dialogic.tagging.codebook import TAGS

ASSERTIONS = sorted((sql_dir() / "tests").glob("assert_*.sql"))


def _statement(migration: str, table: str) -> str:
    text = (sql_dir() / "migrations" / migration).read_text()
    return re.search(rf"^create table {table} \(.*?^\);", text, re.M | re.S).group(0)


def _back_to_062(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild tags, ratings and utterance_facts as migrations 002–062 left them (CHECKs listing
    the tag names, wide <tag>_p / <tag>_label columns) with the same rows, and forget 063."""
    con.execute("alter table tags rename to tags_063")
    con.execute(_statement("002_tags.sql", "tags"))
    con.execute("alter table tags add column precision varchar default 'fp32'")  # 006
    con.execute("insert into tags by name select * from tags_063")
    con.execute("drop table tags_063")
    con.execute("alter table ratings rename to ratings_063")
    con.execute(_statement("003_ratings.sql", "ratings"))
    con.execute("alter table ratings add column queue varchar default 'training'")  # 012
    con.execute("insert into ratings by name select * from ratings_063")
    con.execute("drop table ratings_063")
    # the wide columns, filled from the long facts as the old compute_utterance_facts filled them
    for tag in TAGS:
        con.execute(f"alter table utterance_facts add column {tag}_p double")
        con.execute(f"alter table utterance_facts add column {tag}_label boolean")
        con.execute(
            f"update utterance_facts as f set {tag}_p = t.probability, {tag}_label = t.label "
            "from utterance_tag_facts as t where t.utterance_id = f.utterance_id and t.tag = ?",
            [tag],
        )
    con.execute("alter table utterance_facts add column peer_self_disclosure_candidate boolean")  # 009
    con.execute(
        "update utterance_facts as f set peer_self_disclosure_candidate = t.candidate "
        "from utterance_tag_facts as t where t.utterance_id = f.utterance_id and t.tag = 'peer_self_disclosure'"
    )
    con.execute("drop table utterance_tag_facts")
    con.execute("delete from schema_migrations where version = 63")


def test_a_database_at_062_keeps_every_row_and_view_through_063(tmp_path):
    fixture = build_review_db(tmp_path / "review")
    _ratings(fixture)
    con = connect(fixture.db_path)
    before_rows = {
        t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr)
        for t in ("tags", "ratings", "utterance_tag_facts", "utterance_facts")
    }
    before_views = relations(con)
    assert len(before_rows["ratings"]) > 0 and any(r[5] for r in before_rows["utterance_tag_facts"])
    _back_to_062(con)
    checks = con.execute("select expression from duckdb_constraints() where constraint_type = 'CHECK'").fetchall()
    assert any("persuasion" in e for (e,) in checks)  # the 062 shape, for real
    # the macros as they are now: opening must not rebuild the facts, so the rows the migration
    # carried over are the rows the views read
    con.execute("update macro_state set macros_sha256 = ?", [macros_sha256()])
    con.execute("checkpoint")
    con.close()

    con = connect(fixture.db_path)  # applies 063
    assert con.execute("select max(version) from schema_migrations").fetchone()[0] == max(
        v for v, _ in list_migrations()
    )
    after_rows = {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in before_rows}
    assert after_rows == before_rows
    # nothing in the schema names a tag: no CHECK listing names, no per-tag column in a table
    names = "|".join(TAGS)
    checks = con.execute(
        "select table_name, expression from duckdb_constraints() where expression is not null"
    ).fetchall()
    assert [c for c in checks if re.search(names, c[1])] == []
    columns = con.execute(
        "select table_name, column_name from duckdb_columns() c join duckdb_tables() t using (table_name)"
    ).fetchall()
    assert [c for c in columns if re.search(names, c[1])] == []
    # ratings keep numbering after the highest kept id
    next_id = con.execute(
        "insert into ratings (rater_id, utterance_id, meeting_id, tag, value, utterance_text) "
        "values ('alice', 'm1/u00000', 'm1', 'persuasion', true, 'x') returning rating_id"
    ).fetchone()[0]
    assert next_id > max(r[0] for r in before_rows["ratings"])
    con.execute("delete from ratings where rating_id = ?", [next_id])
    assert relations(con) == before_views
    assert [(a.stem, *row) for a in ASSERTIONS for row in con.execute(a.read_text()).fetchall()] == []
    con.close()
