"""Word error rate: the alignment against a plain dynamic program, and the stretches."""

from __future__ import annotations

import random

import pytest

from dialogic.corrections.word_errors import align_words, meeting_word_errors, normalise_word, stretches


def levenshtein(a, b) -> int:
    """The textbook O(n·m) dynamic program, to check the fast alignment against."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def test_alignment_has_the_fewest_edits_on_random_pairs():
    rng = random.Random(13)
    for _ in range(2000):
        ref = [rng.choice("abc") for _ in range(rng.randint(0, 10))]
        hyp = [rng.choice("abc") for _ in range(rng.randint(0, 10))]
        errors = align_words(ref, hyp)
        assert errors.substitutions + errors.deletions + errors.insertions == levenshtein(ref, hyp), (ref, hyp)
        assert errors.reference_words == len(ref) and errors.hypothesis_words == len(hyp)


def test_hand_counted_example():
    # reference (corrected): i take risperidone every day
    # machine:               i take risk of rhythm every day today
    errors = align_words("i take risperidone every day".split(), "i take risk of rhythm every day today".split())
    assert (errors.hits, errors.substitutions, errors.deletions, errors.insertions) == (4, 1, 0, 3)
    assert errors.wer == pytest.approx(4 / 5)
    missed = align_words("yes i will".split(), "yes will".split())
    assert (missed.hits, missed.substitutions, missed.deletions, missed.insertions) == (2, 0, 1, 0)
    assert align_words([], []).wer is None


def test_normalising_ignores_case_and_edge_punctuation_only():
    assert [normalise_word(w) for w in ["Well,", "don't", "«Yes»", "...", "U.K."]] == [
        "well",
        "don't",
        "yes",
        "",
        "u.k",
    ]


def test_stretches_cut_where_no_word_of_either_side_is_heard():
    ref = [("I", 0.0, 0.5), ("take", 0.5, 1.0), ("risperidone", 1.0, 2.5), ("daily.", 3.0, 3.5)]
    hyp = [
        ("I", 0.0, 0.5),
        ("take", 0.5, 1.0),
        ("risk", 1.0, 1.5),
        ("of", 1.5, 2.0),
        ("rhythm", 2.0, 2.5),
        ("daily", 3.0, 3.5),
    ]
    assert stretches(ref, hyp) == [
        (["i"], ["i"]),
        (["take"], ["take"]),
        (["risperidone"], ["risk", "of", "rhythm"]),
        (["daily"], ["daily"]),
    ]
    errors = meeting_word_errors(ref, hyp)
    assert (errors.hits, errors.substitutions, errors.deletions, errors.insertions) == (3, 1, 0, 2)


def test_a_long_meeting_with_few_corrections_aligns_fast():
    import time

    rng = random.Random(5)
    ref = [str(rng.randint(0, 3000)) for _ in range(20000)]
    hyp = list(ref)
    for _ in range(200):
        hyp[rng.randrange(len(hyp))] = "x"
    started = time.perf_counter()
    errors = align_words(ref, hyp)
    assert time.perf_counter() - started < 5
    assert errors.substitutions <= 200 and errors.hits >= 19800
