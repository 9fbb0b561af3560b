"""Carry a meeting's corrections onto a new machine transcript of it (a forced re-run).

Each revision in effect is replayed in the order it was made, onto the transcript the earlier
replays left, only where what it was made on is still there:

- every utterance it read is found by content — the same words at the same times (to the
  millisecond) and the same speaker — preferring the one with the same id. Utterance boundaries
  and ids of a new run may differ; words heard differently, or at other times, mean the
  correction no longer fits, and it is reported, never forced;
- a speaker label is translated to the new run's label for the same voice
  (`dialogic.voices.match_voices`: the stored diarisation against the new one). A label the
  revision's own history renamed is followed through the renames first; a name created by a
  correction (a rename, a new speaker) is kept as it is. A label whose voice the new run does
  not have means the correction is reported.

A correction and the revert that undid it cancel out: neither is applied, both count as replayed
(the new transcript is as if neither had been made); a revert that was itself undone puts its
correction back. A revert whose correction is not among those replayed is reported.

The result says, for each revision, whether it was replayed and, if so, the form it was replayed
in (ids and labels of the new run), which later replays start from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dialogic.corrections.edits import (
    Edit,
    EditRefused,
    EditUtterance,
    EditWords,
    Merge,
    Reassign,
    RenameSpeaker,
    Revert,
    Split,
    Transcript,
    apply_edit,
    same_words,
)


@dataclass(frozen=True)
class StoredRevision:
    """A revision in effect, in its current form (as made, or as last replayed)."""

    revision_id: int
    edit: Edit
    before: tuple[EditUtterance, ...]


@dataclass(frozen=True)
class ReplayOutcome:
    revision_id: int
    replayed: bool
    reason: str | None = None
    edit: Edit | None = None  # as replayed
    before: tuple[EditUtterance, ...] = ()  # the utterances it was replayed on
    after: tuple[EditUtterance, ...] = ()


@dataclass
class ReplayResult:
    transcript: Transcript
    outcomes: list[ReplayOutcome] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)  # (new run's label, name), in order
    created: set[str] = field(default_factory=set)  # speaker names the replayed corrections created

    @property
    def not_replayed(self) -> list[ReplayOutcome]:
        return [o for o in self.outcomes if not o.replayed]


class _NoVoice(Exception):
    pass


def replay_revisions(
    transcript: Transcript,
    revisions: list[StoredRevision],
    voice_map: dict[str, str],
    new_labels: set[str],
    *,
    id_prefix_of,
) -> ReplayResult:
    """Replay ``revisions`` (in effect, oldest first) onto the new machine ``transcript``.

    ``voice_map``: stored label → new run's label with the same voice; ``new_labels``: the new
    run's diarised speakers; ``id_prefix_of(revision_id)``: the prefix of the ids a revision's
    new utterances get (the same as when it was made, so ratings of them still apply).
    """
    result = ReplayResult(transcript)
    in_list = {r.revision_id for r in revisions}
    cancelled: dict[int, int] = {}  # revision → the revert that cancels it, and the revert → itself
    for revision in reversed(revisions):  # newest first: an undone revert cancels nothing
        if isinstance(revision.edit, Revert) and revision.revision_id not in cancelled:
            if revision.edit.revision_id in in_list:
                cancelled[revision.edit.revision_id] = revision.revision_id
                cancelled[revision.revision_id] = revision.revision_id

    def translate(label: str | None, position: int) -> str | None:
        if label is None or label in result.created:
            return label
        # the stored diarisation knows the label under the name later renames gave it
        name = label
        for later in revisions[position:]:
            if isinstance(later.edit, RenameSpeaker) and later.edit.speaker_label == name:
                name = later.edit.new_label
        if name not in voice_map:
            raise _NoVoice(f"the new run has no voice for speaker {label}")
        return voice_map[name]

    for position, revision in enumerate(revisions):
        if revision.revision_id in cancelled:
            result.outcomes.append(ReplayOutcome(revision.revision_id, True, None, revision.edit))
            result.outcomes.append(
                ReplayOutcome(cancelled[revision.revision_id], True, None, Revert(revision.revision_id))
            )
            continue
        if isinstance(revision.edit, Revert):
            reason = f"it undoes correction {revision.edit.revision_id}, which is not in effect"
            result.outcomes.append(ReplayOutcome(revision.revision_id, False, reason))
            continue
        try:
            outcome = _replay_one(result, revision, position, translate, new_labels, id_prefix_of(revision.revision_id))
        except _NoVoice as exc:
            outcome = ReplayOutcome(revision.revision_id, False, str(exc))
        except EditRefused as exc:
            outcome = ReplayOutcome(revision.revision_id, False, f"no longer fits: {exc}")
        result.outcomes.append(outcome)
    return result


def _replay_one(result: ReplayResult, revision: StoredRevision, position: int, translate, new_labels, id_prefix):
    edit = revision.edit
    if isinstance(edit, RenameSpeaker):
        label = translate(edit.speaker_label, position)
        present = {u.speaker_label for u in result.transcript} | new_labels | result.created
        if label not in present:
            return ReplayOutcome(revision.revision_id, False, f"speaker {edit.speaker_label} is not in the new run")
        replayed_edit: Edit = RenameSpeaker(label, edit.new_label)
        before: tuple[EditUtterance, ...] = tuple(u for u in result.transcript if u.speaker_label == label)
    else:
        located = [_locate(result.transcript, b, translate(b.speaker_label, position)) for b in revision.before]
        missing = [b.utterance_id for b, found in zip(revision.before, located) if found is None]
        if missing:
            return ReplayOutcome(
                revision.revision_id,
                False,
                f"utterance {', '.join(missing)} is not in the new transcript with the same words, times and speaker",
            )
        before = tuple(located)
        ids = [u.utterance_id for u in before]
        if isinstance(edit, Reassign):
            speaker = edit.speaker_label if edit.new_speaker else translate(edit.speaker_label, position)
            replayed_edit = replace(edit, utterance_id=ids[0], speaker_label=speaker)
        elif isinstance(edit, Merge):
            replayed_edit = Merge(ids[0], ids[1])
        elif isinstance(edit, Split | EditWords):
            replayed_edit = replace(edit, utterance_id=ids[0])
        else:  # pragma: no cover - every kind is handled above
            raise EditRefused(f"cannot replay {edit!r}")
    applied = apply_edit(result.transcript, replayed_edit, revision_id=revision.revision_id, id_prefix=id_prefix)
    result.transcript = applied.transcript
    if isinstance(replayed_edit, RenameSpeaker):
        result.renames.append((replayed_edit.speaker_label, replayed_edit.new_label))
        result.created.add(replayed_edit.new_label)
    if isinstance(replayed_edit, Reassign) and replayed_edit.new_speaker:
        result.created.add(replayed_edit.speaker_label)
    return ReplayOutcome(revision.revision_id, True, None, replayed_edit, before, applied.after)


def _locate(transcript: Transcript, snapshot: EditUtterance, speaker: str | None) -> EditUtterance | None:
    found = [u for u in transcript if u.speaker_label == speaker and same_words(u.words, snapshot.words)]
    same_id = [u for u in found if u.utterance_id == snapshot.utterance_id]
    if same_id:
        return same_id[0]
    return found[0] if len(found) == 1 else None
