"""The review app's tags are the codebook's, and the ratings table takes exactly those."""

from __future__ import annotations

from dialogic.review import ratings
from dialogic.tagging import codebook


def test_the_ratings_table_accepts_every_codebook_tag_and_nothing_else(tmp_path):
    import duckdb
    import pytest

    from dialogic.db import connect

    con = connect(tmp_path / "r.duckdb")
    insert = (
        "insert into ratings (rater_id, utterance_id, meeting_id, tag, value, utterance_text) "
        "values ('a', 'm/u00000', 'm', ?, true, 'x')"
    )
    for tag in codebook.TAGS:
        con.execute(insert, [tag])
    with pytest.raises(duckdb.ConstraintException):
        con.execute(insert, ["pressure"])
    assert [r[0] for r in con.execute("select tag from ratings order by rating_id").fetchall()] == list(ratings.TAGS)
    con.close()


def test_every_tag_has_a_title():
    assert tuple(ratings.TAG_TITLES) == ratings.TAGS
