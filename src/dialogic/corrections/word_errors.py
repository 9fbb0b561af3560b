"""Word error rate of the machine transcript against the corrected one.

WER = (substitutions + deletions + insertions) / reference words, with the corrected transcript
as the reference and the machine's as the hypothesis: a deletion is a word the machine missed,
an insertion a word it made up.

Words are compared after `normalise_word` (case folded, punctuation at either end removed), so
a rater adding a comma is not a word error. Both transcripts are cut into stretches at instants
that no word of either covers (long recordings are scored by segment, as sclite does per
utterance), and each stretch is aligned exactly, with the minimum number of edits
(`align_words`). Since a correction keeps the times of the words it keeps and gives typed words
the time of the words they replace, a word is only ever compared with words heard at the same
time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class WordErrors:
    """Counts of one alignment; ``reference_words`` = hits + substitutions + deletions."""

    hits: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0

    @property
    def reference_words(self) -> int:
        return self.hits + self.substitutions + self.deletions

    @property
    def hypothesis_words(self) -> int:
        return self.hits + self.substitutions + self.insertions

    @property
    def wer(self) -> float | None:
        """None when there is no reference word (the rate is undefined)."""
        errors = self.substitutions + self.deletions + self.insertions
        return errors / self.reference_words if self.reference_words else None

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(
            self.hits + other.hits,
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
        )


@lru_cache(maxsize=65536)  # a meeting says the same words again and again
def normalise_word(word: str) -> str:
    """Case folded, with punctuation and spaces at either end stripped ("Well," → "well";
    "don't" stays)."""
    text = word.casefold()
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


def align_words(reference: Sequence[str], hypothesis: Sequence[str]) -> WordErrors:
    """The minimum-edit alignment of two word sequences (Levenshtein, every edit costing 1),
    counted. Among alignments with the fewest edits, one with the most substitutions is counted.

    Ukkonen's diagonal algorithm: for e = 0, 1, … it finds how far each diagonal of the edit
    matrix can get with e edits, sliding along matching words for free, so the work grows with
    the length times the number of edits, not with the product of the lengths.
    """
    n, m = len(reference), len(hypothesis)

    def slide(i: int, k: int) -> int:
        j = i + k
        while i < n and j < m and reference[i] == hypothesis[j]:
            i += 1
            j += 1
        return i

    # furthest[e][k]: the furthest reference position on diagonal k (= j − i) with e edits;
    # came[e][k]: (edit, diagonal it came from, position before sliding)
    furthest: list[dict[int, int]] = [{0: slide(0, 0)}]
    came: list[dict[int, tuple[str, int, int]]] = [{}]
    goal = m - n
    while furthest[-1].get(goal, -1) < n:
        e = len(furthest)
        previous = furthest[-1]
        here: dict[int, int] = {}
        how: dict[int, tuple[str, int, int]] = {}
        for k in range(-e, e + 1):
            best, choice = -1, None
            if k in previous and previous[k] + 1 <= n and previous[k] + 1 + k <= m:
                best, choice = previous[k] + 1, ("S", k)
            if k + 1 in previous:  # a reference word the hypothesis lacks
                i = previous[k + 1] + 1
                if i <= n and 0 <= i + k <= m and i > best:
                    best, choice = i, ("D", k + 1)
            if k - 1 in previous:  # a hypothesis word the reference lacks
                i = previous[k - 1]
                if 0 <= i + k <= m and i > best:
                    best, choice = i, ("I", k - 1)
            if choice is not None:
                here[k] = slide(best, k)
                how[k] = (choice[0], choice[1], best)
        furthest.append(here)
        came.append(how)

    counts = {"H": 0, "S": 0, "D": 0, "I": 0}
    k = goal
    for e in range(len(furthest) - 1, 0, -1):
        edit, from_k, start = came[e][k]
        counts["H"] += furthest[e][k] - start
        counts[edit] += 1
        k = from_k
    counts["H"] += furthest[0][0]
    return WordErrors(counts["H"], counts["S"], counts["D"], counts["I"])


def stretches(
    reference: Sequence[tuple[str, float, float]], hypothesis: Sequence[tuple[str, float, float]]
) -> list[tuple[list[str], list[str]]]:
    """Both transcripts ((word, start_s, end_s) in time order) cut at every instant no word of
    either covers; each stretch as (reference words, hypothesis words), normalised, empty words
    dropped."""
    # by start, each side keeping its own order among words that start together
    events = sorted(
        [(s, 0, i, e, w) for i, (w, s, e) in enumerate(reference)]
        + [(s, 1, i, e, w) for i, (w, s, e) in enumerate(hypothesis)]
    )
    out: list[tuple[list[str], list[str]]] = []
    covered_until = float("-inf")
    for start_s, side, _, end_s, word in events:
        if not out or start_s >= covered_until:
            out.append(([], []))
        covered_until = max(covered_until, end_s)
        token = normalise_word(word)
        if token:
            out[-1][side].append(token)
    return out


def meeting_word_errors(
    reference: Sequence[tuple[str, float, float]], hypothesis: Sequence[tuple[str, float, float]]
) -> WordErrors:
    """The counts over a whole meeting: the sum over its stretches."""
    hits, errors = 0, WordErrors()
    for ref, hyp in stretches(reference, hypothesis):
        if ref == hyp:  # most of a meeting: nothing corrected there
            hits += len(ref)
        else:
            errors = errors + align_words(ref, hyp)
    return errors + WordErrors(hits=hits)
