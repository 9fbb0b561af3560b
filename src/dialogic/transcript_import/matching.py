"""Speakers of an imported transcript to the manifest's participants, by name.

A transcript's names become speaker labels: names that differ only in case or spacing ("alex",
"Alex ") are one speaker, labelled as first written. A label is matched to a participant by
``dialogic.people.participants_named`` (the rule ``dialogic speakers map`` uses too): by ``id``,
``pseudonym``, ``person``, ``relation`` or ``profession`` (case and spacing aside), else by a role
word (``Clinician:``, ``Peer:``), when exactly one participant fits; a name that fits no participant, or several, stays
unmapped and is named in a warning, so that nobody's speech is silently given to someone else.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogic.manifest import Participant
from dialogic.people import name_key, participants_named
from dialogic.records import ImportedUtterance, TranscriptSegment


def label_segments(segments: Sequence[TranscriptSegment]) -> list[ImportedUtterance]:
    """One utterance per segment, in order, each under its speaker's label."""
    labels: dict[str, str] = {}
    utterances = []
    for index, segment in enumerate(segments):
        label = labels.setdefault(name_key(segment.speaker), " ".join(segment.speaker.split()))
        utterances.append(ImportedUtterance(index, label, segment.start_s, segment.end_s, segment.text, segment.line))
    return utterances


def match_speakers(
    labels: Sequence[str], participants: Sequence[Participant]
) -> tuple[dict[str, str | None], list[str]]:
    """Each label → the participant id it names (None when it names none or several), and a
    warning for every label left unmapped."""
    matched: dict[str, str | None] = {}
    unmatched, ambiguous = [], []
    for label in dict.fromkeys(labels):
        candidates = participants_named(label, participants)
        matched[label] = next(iter(candidates)) if len(candidates) == 1 else None
        if not candidates:
            unmatched.append(label)
        elif len(candidates) > 1:
            ambiguous.append(f"{label!r} ({', '.join(sorted(candidates))})")
    warnings = []
    if unmatched:
        warnings.append(
            f"transcript speaker(s) matching no participant by id, pseudonym, person, relation, profession or role: "
            f"{', '.join(repr(u) for u in unmatched)}; their speech counts as unmapped until mapped "
            "(`dialogic speakers map`)"
        )
    if ambiguous:
        warnings.append(
            f"transcript speaker(s) naming more than one participant, left unmapped: {', '.join(ambiguous)}"
        )
    return matched, warnings
