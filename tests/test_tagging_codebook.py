"""The codebook's worked examples: well formed, kept out of the corpus, and tagged as it says."""

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
    from dialogic.tagging.tagger import load_tagger_from

    tagger = load_tagger_from(resolve_artifact(), precision=precision)
    examples = load_codebook_examples()
    probs = tagger.predict([e.text for e in examples], [e.speaker_role for e in examples])
    wrong = [e.example_id for e, p in zip(examples, probs) if (p[e.tag] >= tagger.thresholds[e.tag]) != e.expected]
    assert (len(examples) - len(wrong)) / len(examples) >= 0.9, wrong
