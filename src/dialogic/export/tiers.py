"""Utterances laid out on tiers, one tier per person, for ELAN and Praat.

A Praat interval tier cannot hold two intervals at the same time, and ELAN lets no two
annotations of one top-level tier overlap. One person's utterances rarely overlap (an utterance
is a run of one speaker's words), but they can: two diarised speakers mapped to the same
participant, or words whose timestamps overlap. The rule, applied in time order on each tier:

- **clip**: an interval that runs past the start of the next one on its tier ends where the next
  begins (its start and text are kept);
- **merge**: when the next one starts at the same millisecond (so clipping would leave nothing),
  the two become one interval spanning both, the texts joined in order.

Times are whole milliseconds (ELAN's unit; Praat's files then hold them exactly to 1 ms), and an
interval lasts at least 1 ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogic.export.transcript import MeetingTranscript, UtteranceTag


@dataclass
class Interval:
    start_ms: int
    end_ms: int
    text: str
    utterance_ids: tuple[str, ...]
    adjusted: str | None = None  # 'clipped' or 'merged' when the rule changed it


def to_ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def lay_out(items: Iterable[tuple[float, float, str, str]]) -> list[Interval]:
    """``(start_s, end_s, text, utterance_id)`` items of one tier → non-overlapping intervals,
    in time order, by the clip-or-merge rule above."""
    out: list[Interval] = []
    for start_s, end_s, text, uid in sorted(items, key=lambda item: (item[0], item[1])):
        start_ms = to_ms(start_s)
        end_ms = max(to_ms(end_s), start_ms + 1)
        if out and start_ms < out[-1].end_ms:
            last = out[-1]
            if start_ms <= last.start_ms:
                last.end_ms = max(last.end_ms, end_ms)
                last.text = f"{last.text} {text}"
                last.utterance_ids = (*last.utterance_ids, uid)
                last.adjusted = "merged"
                continue
            last.end_ms = start_ms
            last.adjusted = last.adjusted or "clipped"
        out.append(Interval(start_ms, end_ms, text, (uid,)))
    return out


@dataclass
class Tier:
    name: str
    participant: str | None  # the participant id (or speaker label) a speech tier belongs to; None for a tag tier
    intervals: list[Interval]

    @property
    def adjusted(self) -> int:
        return sum(1 for interval in self.intervals if interval.adjusted)


def speech_tiers(transcript: MeetingTranscript) -> list[Tier]:
    """One tier per person in order of first speech, named by ``Voice.display`` (``Alex (service
    user)``, or ``SPEAKER_03`` while unmapped; two people shown alike get ``[participant id]``
    added), holding their utterances."""
    names: dict[str, str] = {}
    items: dict[str, list[tuple[float, float, str, str]]] = {}
    for u in transcript.utterances:
        key = u.voice.key
        if key not in names:
            name = u.voice.display
            names[key] = f"{name} [{key}]" if name in names.values() else name
        items.setdefault(key, []).append((u.start_s, u.end_s, u.text, u.utterance_id))
    return [Tier(names[key], key, lay_out(tier_items)) for key, tier_items in items.items()]


def tag_tiers(transcript: MeetingTranscript) -> list[Tier]:
    """One tier per tag of the current tagger (``tag:<tag name>``), holding the utterances
    whose label counts (the role rule applies), valued by ``tag_value``. A tier with no interval
    means the tagger found none; candidates (a peer's disclosure before the speaker is mapped) are
    left out, as the views leave them out."""
    tiers = []
    for name in sorted({t.tag for u in transcript.utterances for t in u.tags}):
        tagged = [
            (u.start_s, u.end_s, tag_value(tag), u.utterance_id)
            for u in transcript.utterances
            if (tag := u.tag(name)) is not None and tag.counts
        ]
        tiers.append(Tier(f"tag:{name}", None, lay_out(tagged)))
    return tiers


def tag_value(tag: UtteranceTag) -> str:
    """A tag interval's text: the model's probability, and the raters' majority where they answered."""
    value = f"p={tag.probability:.2f}"
    if tag.rater_label is not None:
        value += f"; raters: {'yes' if tag.rater_label else 'no'} ({tag.n_raters})"
    return value
