"""The review store's constants agree with the codebook."""

from __future__ import annotations

from dialogic.review import ratings
from dialogic.tagging import codebook


def test_review_tags_are_the_codebook_tags():
    assert ratings.TAGS is codebook.TAGS


def test_every_tag_has_a_title():
    assert tuple(ratings.TAG_TITLES) == ratings.TAGS
