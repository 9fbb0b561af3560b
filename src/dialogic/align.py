"""Attach transcribed words to diarised speakers, then group them into utterances."""

from __future__ import annotations

import bisect
import dataclasses
import math

from dialogic.options import AlignOptions
from dialogic.records import AttributedWord, FrameSeries, SpeakerTurn, Utterance, Word

_SENTENCE_END = (".", "?", "!")


def align_words_to_speakers(
    words: list[Word], turns: list[SpeakerTurn], options: AlignOptions = AlignOptions()
) -> list[AttributedWord]:
    """Give each word the speaker whose turn overlaps it most.

    ``turns`` should be the exclusive track (one speaker at a time). Ties go to the earlier turn.
    Runs in O((words + turns) log turns).
    """
    turns = sorted(turns, key=lambda t: (t.start_s, t.end_s))
    starts = [t.start_s for t in turns]
    # Turns are non-overlapping in the exclusive track, but be safe for overlap-aware input:
    # look back far enough to catch a long turn that started before the word.
    longest = max((t.end_s - t.start_s for t in turns), default=0.0)
    attributed = []
    for word in words:
        lo = bisect.bisect_left(starts, word.start_s - longest)
        hi = bisect.bisect_right(starts, word.end_s)
        best, best_overlap = None, 0.0
        for turn in turns[lo:hi]:
            overlap = min(word.end_s, turn.end_s) - max(word.start_s, turn.start_s)
            if overlap > best_overlap:
                best, best_overlap = turn.speaker, overlap
        if best is None:
            best = _nearest_speaker(word, turns, starts, options.max_gap_s)
        attributed.append(AttributedWord(word, best))
    return attributed


def _nearest_speaker(word: Word, turns: list[SpeakerTurn], starts: list[float], max_gap_s: float) -> str | None:
    middle = (word.start_s + word.end_s) / 2
    i = bisect.bisect_right(starts, middle)
    best, best_gap = None, max_gap_s
    for turn in turns[max(0, i - 2) : i + 2]:
        gap = max(turn.start_s - middle, middle - turn.end_s, 0.0)
        if gap <= best_gap:
            best, best_gap = turn.speaker, gap
    if best is None and i > 0:
        # A long turn far back may still end near the word.
        for turn in reversed(turns[: max(0, i - 2)]):
            gap = middle - turn.end_s
            if 0 <= gap <= best_gap:
                best, best_gap = turn.speaker, gap
            if turn.end_s < middle - 600:
                break
    return best


def build_utterances(words: list[AttributedWord], options: AlignOptions = AlignOptions()) -> list[Utterance]:
    """Group consecutive words of one speaker, split at long pauses and sentence ends."""
    utterances: list[Utterance] = []
    current: list[AttributedWord] = []

    def close() -> None:
        if current:
            utterances.append(
                Utterance(
                    index=len(utterances),
                    speaker=current[0].speaker,
                    start_s=current[0].word.start_s,
                    end_s=max(w.word.end_s for w in current),
                    words=[w.word for w in current],
                )
            )
            current.clear()

    for item in words:
        if current:
            previous = current[-1]
            if (
                item.speaker != previous.speaker
                or item.word.start_s - previous.word.end_s > options.max_pause_s
                or (options.split_at_sentence_end and previous.word.word.endswith(_SENTENCE_END))
            ):
                close()
        current.append(item)
    close()
    return utterances


def speaker_confidence(utterances: list[Utterance], margin: FrameSeries | None) -> list[Utterance]:
    """The utterances with ``speaker_confidence``: the mean attribution margin over the frames
    of speech between their start and end (`dialogic.diarisation.posteriors.attribution_margin`).

    0 where no frame of diarised speech falls inside the utterance (its words went to the nearest
    speaker across a gap: nothing vouches for the attribution); None for every utterance when the
    pipeline gave no margins (a hub pipeline).
    """
    if margin is None:
        return utterances
    values = margin.values
    out = []
    for u in utterances:
        first = max(0, math.ceil((u.start_s - margin.start_s) / margin.step_s))
        last = min(len(values) - 1, math.floor((u.end_s - margin.start_s) / margin.step_s))
        inside = [v for v in values[first : last + 1] if v == v]  # v == v skips NaN: nobody speaking
        confidence = round(sum(inside) / len(inside), 4) if inside else 0.0
        out.append(dataclasses.replace(u, speaker_confidence=confidence))
    return out
