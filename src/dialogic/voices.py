"""Speakers as voices: carrying a rater's mapping to the same voice after a re-run, flagging
diarised speakers too small to trust, and suggesting who a speaker is from the voices of earlier
meetings.

A diarised label (``SPEAKER_02``) names nothing stable: a re-run with other options can give the
label to someone else. What is stable is the voice, kept per speaker as the unit-length centroid
of its embeddings (`Diarisation.embeddings`). Pure functions over plain data; the database side is
in `dialogic.store.meetings` and `dialogic.speakers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dialogic.records import Diarisation, MappingChange, SpeakerTurn, StoredSpeaker

# Within one recording, a new speaker is a stored speaker's voice when it speaks in at least this
# share of the stored speaker's speech: a majority, so no voice can go to two people.
SAME_VOICE_SHARE = 0.5
# A speaker with less than this share of the meeting's speech and no turn longer than
# DOUBTFUL_MAX_TURN_S is flagged doubtful: often a fragment of another voice, or noise.
DOUBTFUL_SHARE = 0.02
DOUBTFUL_MAX_TURN_S = 2.0


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / denominator if denominator else 0.0


def shared_speech_s(a: list[SpeakerTurn], b: list[SpeakerTurn]) -> float:
    """Seconds in which both turn lists have speech (each list's own overlaps merged first)."""

    def merged(turns):
        spans = []
        for t in sorted(turns, key=lambda t: t.start_s):
            if spans and t.start_s <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], t.end_s)
            else:
                spans.append([t.start_s, t.end_s])
        return spans

    x, y, i, j, total = merged(a), merged(b), 0, 0, 0.0
    while i < len(x) and j < len(y):
        total += max(0.0, min(x[i][1], y[j][1]) - max(x[i][0], y[j][0]))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def carry_mappings(
    stored: list[StoredSpeaker],
    stored_turns: list[SpeakerTurn],
    new: Diarisation,
    participant_ids: set[str],
    *,
    min_share: float = SAME_VOICE_SHARE,
) -> tuple[dict[str, StoredSpeaker], list[MappingChange]]:
    """Carry each stored mapping to the new speaker with the same voice.

    Within one recording a voice is where it speaks: a stored speaker and a new one are the same
    voice when the new one speaks in at least ``min_share`` of the stored one's speech. Pairs are
    taken one to one, largest share first (then most shared seconds), so two people never get
    one voice. (Centroid cosine
    does not separate people well enough for this on the dev clips; see docs/diarisation.md.)
    A mapping whose participant left the manifest is dropped. Returns (new label → the stored
    speaker whose mapping it takes, every change).
    """
    changes: list[MappingChange] = []
    candidates = []
    for old in stored:
        if old.participant_id is None:
            continue
        if old.participant_id not in participant_ids:
            changes.append(
                MappingChange(
                    old.participant_id,
                    old.speaker_label,
                    None,
                    "dropped",
                    None,
                    "participant no longer in the manifest",
                )
            )
        else:
            candidates.append(old)
    old_turns = {old.speaker_label: [t for t in stored_turns if t.speaker == old.speaker_label] for old in candidates}
    new_turns = {label: [t for t in new.turns if t.speaker == label] for label in new.speakers}
    shares = []
    for old in candidates:
        speech = shared_speech_s(old_turns[old.speaker_label], old_turns[old.speaker_label])
        for label, turns in new_turns.items():
            shared = shared_speech_s(old_turns[old.speaker_label], turns)
            shares.append((shared / speech if speech > 0 else 0.0, shared, old.speaker_label, label))
    by_label = {old.speaker_label: old for old in candidates}
    carried: dict[str, StoredSpeaker] = {}
    placed: set[str] = set()
    # largest share first; on a tie (a new speaker covering two stored voices whole), the voice
    # that makes up more of the new speaker's speech
    for share, _, old_label, new_label in sorted(shares, reverse=True):
        if share < min_share or old_label in placed or new_label in carried:
            continue
        old = by_label[old_label]
        carried[new_label] = old
        placed.add(old_label)
        action = "kept" if new_label == old_label else "moved"
        changes.append(
            MappingChange(
                old.participant_id,
                old_label,
                new_label,
                action,
                round(share, 4),
                "same voice" if action == "kept" else f"the voice of {old_label} is now {new_label}",
            )
        )
    for old in candidates:
        if old.speaker_label not in placed:
            best = max((share for share, _, o, _ in shares if o == old.speaker_label), default=None)
            changes.append(
                MappingChange(
                    old.participant_id,
                    old.speaker_label,
                    None,
                    "dropped",
                    None if best is None else round(best, 4),
                    f"no new speaker speaks in {min_share:.0%} of this voice's speech; map again",
                )
            )
    return carried, changes


def match_voices(
    stored_turns: list[SpeakerTurn], new_turns: list[SpeakerTurn], *, min_share: float = SAME_VOICE_SHARE
) -> dict[str, str]:
    """Every stored speaker label → the new label with the same voice, by the rule of
    `carry_mappings` (the new speaker speaks in at least ``min_share`` of the stored one's speech;
    one to one, largest share first), for all speakers, mapped or not. A re-run's transcript
    corrections follow voices this way (`dialogic.corrections.replay`)."""
    old = {}
    for t in stored_turns:
        old.setdefault(t.speaker, []).append(t)
    new = {}
    for t in new_turns:
        new.setdefault(t.speaker, []).append(t)
    shares = []
    for old_label, turns in old.items():
        speech = shared_speech_s(turns, turns)
        for new_label, other in new.items():
            shared = shared_speech_s(turns, other)
            # on a tie, the same label (an identical re-run keeps every label)
            shares.append(
                (shared / speech if speech > 0 else 0.0, shared, old_label == new_label, old_label, new_label)
            )
    matched: dict[str, str] = {}
    for share, _, _, old_label, new_label in sorted(shares, reverse=True):
        if share >= min_share and old_label not in matched and new_label not in matched.values():
            matched[old_label] = new_label
    return matched


def doubtful_speakers(
    diarisation: Diarisation, *, share: float = DOUBTFUL_SHARE, max_turn_s: float = DOUBTFUL_MAX_TURN_S
) -> set[str]:
    """Speakers with under ``share`` of all diarised speech and no turn longer than ``max_turn_s``."""
    total = sum(t.end_s - t.start_s for t in diarisation.turns)
    flagged = set()
    for speaker in diarisation.speakers:
        longest = max((t.end_s - t.start_s for t in diarisation.turns if t.speaker == speaker), default=0.0)
        if total > 0 and diarisation.speech_s(speaker) < share * total and longest <= max_turn_s:
            flagged.add(speaker)
    return flagged


def longest_turn_s(diarisation: Diarisation, speaker: str) -> float:
    return max((t.end_s - t.start_s for t in diarisation.turns if t.speaker == speaker), default=0.0)


@dataclass(frozen=True)
class Suggestion:
    speaker_label: str
    participant_id: str
    person_id: str
    similarity: float
    enrolled_meetings: int


def suggest(
    speakers: dict[str, Sequence[float]],
    enrolled: dict[str, list[Sequence[float]]],
    person_participants: dict[str, str],
) -> list[Suggestion]:
    """For each speaker, every person of this meeting with an enrolled voice, most similar first.

    ``speakers``: label → voice of this meeting's speakers; ``enrolled``: person → voices from
    meetings where they were mapped; ``person_participants``: person → their participant id here.
    A person's voice is the unit mean of their enrolled voices.
    """
    voices = {}
    for person, vectors in enrolled.items():
        if person in person_participants and vectors:
            mean = np.mean(np.asarray(vectors, dtype=np.float64), axis=0)
            voices[person] = (mean / (np.linalg.norm(mean) or 1.0), len(vectors))
    out = [
        Suggestion(label, person_participants[person], person, round(cosine(vector, voice), 4), n)
        for label, vector in speakers.items()
        for person, (voice, n) in voices.items()
    ]
    return sorted(out, key=lambda s: (s.speaker_label, -s.similarity))
