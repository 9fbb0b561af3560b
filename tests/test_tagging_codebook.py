"""The codebook's worked examples: well formed, kept out of the corpus, and tagged as it says."""

import re

import pytest

from dialogic.tagging.codebook import TAGS, load_codebook_examples, normalise_text
from dialogic.tagging.corpus import load_seed_corpus


def test_every_tag_has_five_positive_and_five_negative_examples():
    examples = load_codebook_examples()
    for tag in TAGS:
        assert sum(1 for e in examples if e.tag == tag and e.expected) >= 5, tag
        assert sum(1 for e in examples if e.tag == tag and not e.expected) >= 5, tag


def test_examples_are_kept_out_of_the_corpus():
    corpus = {normalise_text(r.text) for r in load_seed_corpus()}
    leaked = [e.example_id for e in load_codebook_examples() if normalise_text(e.text) in corpus]
    assert leaked == []


@pytest.mark.models
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_committed_model_tags_at_least_90_percent_of_examples_as_the_codebook_says(precision):
    from dialogic.tagging.artifacts import resolve_artifact
    from dialogic.tagging.evaluate import codebook_check
    from dialogic.tagging.tagger import load_tagger_from

    tagger = load_tagger_from(resolve_artifact(), precision=precision)
    check = codebook_check(tagger.predict_array, tagger.thresholds)  # labels counted as the views count them
    assert check["total"] == len(load_codebook_examples())
    assert check["agree"] / check["total"] >= 0.9, check["wrong"]


def test_the_role_rules_are_the_same_in_sql_and_python(tmp_path):
    from dialogic.db import connect
    from dialogic.tagging.codebook import ROLES, TAGS, tag_role_rule

    con = connect(tmp_path / "rules.duckdb")
    pairs = [(tag, role) for tag in TAGS for role in (*ROLES, "unknown", None)]
    in_sql = [con.execute("select tag_role_rule(?, ?)", [tag, role]).fetchone()[0] for tag, role in pairs]
    con.close()
    assert in_sql == [tag_role_rule(tag, role) for tag, role in pairs]
    # and the rule itself, as docs/codebook.md states it
    assert tag_role_rule("peer_self_disclosure", "peer") == "applies"
    assert tag_role_rule("peer_self_disclosure", "service_user") == "not_applicable"
    assert tag_role_rule("peer_self_disclosure", None) == "candidate"
    assert {tag_role_rule("persuasion", role) for role in (*ROLES, None)} == {"applies"}


def test_tag_output_splits_labels_that_count_from_candidates():
    from dialogic.tagging.codebook import apply_role_rules

    labels = ["persuasion", "peer_self_disclosure"]
    assert apply_role_rules(labels, "peer") == (labels, [])
    assert apply_role_rules(labels, "service_user") == (["persuasion"], [])
    assert apply_role_rules(labels, None) == (["persuasion"], ["peer_self_disclosure"])


def test_the_tag_list_is_read_from_the_codebook_data_and_bad_entries_are_named(tmp_path):
    from dialogic.errors import LookupFailed
    from dialogic.tagging.codebook import CODEBOOK, ROLE_RULES, TAG_TITLES, TAGS, codebook_tags_path, load_codebook_tags

    assert load_codebook_tags(codebook_tags_path()) == CODEBOOK
    assert TAGS == tuple(t.name for t in CODEBOOK) and set(TAG_TITLES) == set(TAGS)
    assert ROLE_RULES == {"peer_self_disclosure": ("peer",)}
    path = tmp_path / "codebook.toml"
    for text, message in (
        ('[[tag]]\nname = "Bad Name"\n', "tag 1 needs a name of lowercase letters"),
        ('[[tag]]\nname = "a"\n[[tag]]\nname = "a"\n', "tag 'a' is listed twice"),
        ('[[tag]]\nname = "a"\ncounts_for = ["nurse"]\n', "counts_for must list roles"),
        ("title = 'no tags'\n", "no [[tag]] entries"),
        ("[[tag]\n", "codebook tags unreadable"),
    ):
        path.write_text(text)
        with pytest.raises(LookupFailed, match=re.escape(f"{path}: ") + ".*" + re.escape(message)):
            load_codebook_tags(path)
    path.write_text('[[tag]]\nname = "shared_reflection2"\n')
    assert load_codebook_tags(path)[0].title == "shared reflection2"  # title defaults from the name
