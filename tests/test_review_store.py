"""The review app's tags are the codebook's; the ratings table names no tag (migration 063) and
takes any tag name, and the app takes answers only for the codebook's tags."""

from __future__ import annotations

from dialogic.review import ratings
from dialogic.store import ratings as store_ratings
from dialogic.tagging import codebook


def test_the_ratings_table_accepts_every_codebook_tag_and_no_value_that_is_not_a_tag_name(tmp_path):
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
    for not_a_name in ("Pressure", "two words", ""):
        with pytest.raises(duckdb.ConstraintException):
            con.execute(insert, [not_a_name])
    assert [r[0] for r in con.execute("select tag from ratings order by rating_id").fetchall()] == list(ratings.TAGS)
    # which names are tags is the codebook's to say: the app refuses an answer for another
    with pytest.raises(ValueError, match="unknown tags"):
        store_ratings.record_answers(con, "a", "m/u00000", {"pressure": True}, None)
    con.close()


def test_every_tag_has_a_title():
    assert tuple(codebook.TAG_TITLES) == ratings.TAGS == codebook.TAGS
    assert all(codebook.TAG_TITLES[t] for t in codebook.TAGS)
