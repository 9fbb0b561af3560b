"""The corrections of a transcript, as pure functions over one meeting's utterances.

A meeting's transcript is a tuple of `EditUtterance` in meeting order, each holding its words
(`EditWord`). A word's speaker is its utterance's speaker. `apply_edit` takes a transcript and
one of `Reassign`, `Split`, `Merge`, `EditWords`, `RenameSpeaker`, and returns the new transcript
with the utterances the edit read (``before``) and the ones it left (``after``). `Revert` undoes
an earlier correction by a new one (`apply_revert`: its ``after`` utterances, still as it left
them, give way to its ``before``), so that the history stays append-only.

Ids: an utterance keeps its id through every edit that keeps its first part; a part an edit
creates is named ``<id_prefix>.<n>`` (the database passes ``<meeting_id>/r<revision_id>``), so
re-applying the same revision names its parts the same.

Times of typed words: a word kept from the machine keeps its times and probability; typed words
share the span of the words they replace, evenly (or the pause where they were inserted), and have
no probability (None), since no model heard them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, fields, replace
from typing import ClassVar

from dialogic.corrections.word_errors import normalise_word
from dialogic.errors import EditRefused

# A speaker name a correction may create (by renaming, or by giving words to a new speaker).
# Names of the form SPEAKER_nn are diarisation's and may be taken by a later run, so a person's
# correction never creates one.
SPEAKER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'-]{0,39}$")
DIARISED_LABEL = re.compile(r"^SPEAKER_\d+$")
TIME_TOLERANCE_S = 0.0015  # times are stored to the millisecond


@dataclass(frozen=True)
class EditWord:
    word: str
    start_s: float
    end_s: float
    probability: float | None = None  # the recogniser's; None for a word typed by an editor


@dataclass(frozen=True)
class EditUtterance:
    utterance_id: str
    speaker_label: str | None
    words: tuple[EditWord, ...]
    revision_id: int | None = None  # the last revision that changed it; None as the machine made it

    @property
    def text(self) -> str:
        return " ".join(w.word for w in self.words)

    @property
    def start_s(self) -> float:
        return self.words[0].start_s

    @property
    def end_s(self) -> float:
        return max(w.end_s for w in self.words)


Transcript = tuple[EditUtterance, ...]


@dataclass(frozen=True)
class Reassign:
    """Give an utterance, or its words ``from_word`` to ``to_word`` (offsets, end excluded), to
    another speaker; a part of an utterance becomes an utterance of its own. ``new_speaker``: the
    speaker did not exist before this edit."""

    kind: ClassVar[str] = "reassign"
    utterance_id: str
    speaker_label: str
    from_word: int | None = None
    to_word: int | None = None
    new_speaker: bool = False


@dataclass(frozen=True)
class Split:
    """Split an utterance before its word ``at_word`` (an offset, 1 … words − 1)."""

    kind: ClassVar[str] = "split"
    utterance_id: str
    at_word: int


@dataclass(frozen=True)
class Merge:
    """Join an utterance and the one after it; the joined one is the first one's speaker."""

    kind: ClassVar[str] = "merge"
    utterance_id: str
    next_utterance_id: str


@dataclass(frozen=True)
class EditWords:
    """Replace an utterance's words with ``text`` (split at white space); empty text removes the
    utterance (speech the recogniser invented)."""

    kind: ClassVar[str] = "edit_words"
    utterance_id: str
    text: str


@dataclass(frozen=True)
class RenameSpeaker:
    """Give every utterance of ``speaker_label`` the new name ``new_label`` (not a speaker yet)."""

    kind: ClassVar[str] = "rename_speaker"
    speaker_label: str
    new_label: str


@dataclass(frozen=True)
class Revert:
    """Undo revision ``revision_id``: the utterances it left, while no later correction changed
    them, are replaced by the ones it read. ``rename_from``/``rename_to``: the speaker rename this
    undoes, if any (filled in by the store from the reverted revision; a rename's undo renames
    back, a revert's undo redoes it)."""

    kind: ClassVar[str] = "revert"
    revision_id: int
    rename_from: str | None = None
    rename_to: str | None = None


Edit = Reassign | Split | Merge | EditWords | RenameSpeaker | Revert
KINDS: dict[str, type] = {cls.kind: cls for cls in (Reassign, Split, Merge, EditWords, RenameSpeaker, Revert)}


@dataclass(frozen=True)
class Applied:
    """An edit's result: the whole new transcript, the utterances it read and those it left."""

    transcript: Transcript
    before: tuple[EditUtterance, ...]
    after: tuple[EditUtterance, ...]


def edit_params(edit: Edit) -> dict:
    """The edit's fields as a JSON-ready dict (the revision's ``params``)."""
    return {f.name: getattr(edit, f.name) for f in fields(edit)}


def edit_from_params(kind: str, params: dict) -> Edit:
    """The edit a revision row describes."""
    if kind not in KINDS:
        raise EditRefused(f"unknown correction {kind!r}; expected one of {sorted(KINDS)}")
    try:
        return KINDS[kind](**params)
    except TypeError as exc:
        raise EditRefused(f"a {kind} correction cannot be made of {params!r}: {exc}") from exc


def target_ids(edit: Edit) -> list[str]:
    """What the edit was made on: utterance ids, or the speaker for a rename."""
    if isinstance(edit, Merge):
        return [edit.utterance_id, edit.next_utterance_id]
    if isinstance(edit, RenameSpeaker):
        return [edit.speaker_label]
    if isinstance(edit, Revert):
        return [f"revision {edit.revision_id}"]
    return [edit.utterance_id]


def check_new_speaker_name(name: str) -> str:
    """A name a correction may give a speaker: 1-40 letters, digits, spaces, ``_ . ' -``, not a
    diarisation label (``SPEAKER_nn``, which a later run may hand to another voice)."""
    if not SPEAKER_NAME.match(name):
        raise EditRefused(
            f"speaker name {name!r} is not allowed: 1-40 letters, digits, spaces, '_', '.', \"'\" or '-', "
            "starting with a letter or digit"
        )
    if DIARISED_LABEL.match(name):
        raise EditRefused(f"speaker name {name!r} looks like a diarisation label; choose another name")
    return name


def apply_edit(transcript: Transcript, edit: Edit, *, revision_id: int | None, id_prefix: str) -> Applied:
    """Apply one edit; raises EditRefused when it does not fit ``transcript``."""
    if isinstance(edit, Reassign):
        return _reassign(transcript, edit, revision_id, id_prefix)
    if isinstance(edit, Split):
        return _split(transcript, edit, revision_id, id_prefix)
    if isinstance(edit, Merge):
        return _merge(transcript, edit, revision_id)
    if isinstance(edit, EditWords):
        return _edit_words(transcript, edit, revision_id)
    if isinstance(edit, RenameSpeaker):
        return _rename(transcript, edit, revision_id)
    if isinstance(edit, Revert):
        raise EditRefused("a revert needs the reverted revision's utterances: use apply_revert")
    raise EditRefused(f"not a correction: {edit!r}")


def apply_revert(
    transcript: Transcript,
    reverted_before: tuple[EditUtterance, ...],
    reverted_after: tuple[EditUtterance, ...],
    *,
    revision_id: int | None,
    label: str = "the correction",
) -> Applied:
    """Undo a correction that read ``reverted_before`` and left ``reverted_after``: those
    utterances, found in ``transcript`` as it left them (by id, else by the same speaker and
    words), give way to the ones it read, at the same place (by time, for a correction that only
    removed an utterance). Refused when a later correction changed what it left."""
    found = []
    for snap in reverted_after:
        match = next((u for u in transcript if u.utterance_id == snap.utterance_id and _same(u, snap)), None) or next(
            (u for u in transcript if _same(u, snap)), None
        )
        if match is None:
            raise EditRefused(
                f"{label} cannot be undone: a later correction changed {snap.utterance_id}; undo that one first"
            )
        found.append(match)
    restored = tuple(replace(u, revision_id=revision_id) for u in reverted_before)
    if found and [u.utterance_id for u in found] == [u.utterance_id for u in restored]:
        # the same utterances (a rename, a whole utterance reassigned, words edited): each takes
        # back what it was, where it is
        back = dict(zip((u.utterance_id for u in found), restored))
        return Applied(tuple(back.get(u.utterance_id, u) for u in transcript), tuple(found), restored)
    positions = [transcript.index(u) for u in found]
    if positions != list(range(positions[0], positions[0] + len(positions))) if positions else False:
        raise EditRefused(f"{label} cannot be undone: what it left is no longer together in the transcript")
    others = {u.utterance_id for u in transcript} - {u.utterance_id for u in found}
    if clash := sorted(others & {u.utterance_id for u in restored}):
        raise EditRefused(f"{label} cannot be undone: {', '.join(clash)} is in the transcript already")
    if positions:
        at = positions[0]
        new = transcript[:at] + restored + transcript[at + len(positions) :]
    else:  # it only removed an utterance: put it back where its time puts it
        start = restored[0].start_s if restored and restored[0].words else 0.0
        at = next((i for i, u in enumerate(transcript) if u.words and u.start_s > start), len(transcript))
        new = transcript[:at] + restored + transcript[at:]
    return Applied(new, tuple(found), restored)


def _same(a: EditUtterance, b: EditUtterance) -> bool:
    return a.speaker_label == b.speaker_label and same_words(a.words, b.words)


def _position(transcript: Transcript, utterance_id: str) -> int:
    for i, u in enumerate(transcript):
        if u.utterance_id == utterance_id:
            return i
    raise EditRefused(f"no utterance {utterance_id!r} in this meeting's transcript")


def _parts(
    original: EditUtterance, pieces: list[tuple[tuple[EditWord, ...], str | None]], revision_id, id_prefix
) -> tuple[EditUtterance, ...]:
    """Utterances from (words, speaker) pieces: the first keeps the original id, the others are
    named ``<id_prefix>.1``, ``.2`` …"""
    out, n = [], 0
    for words, speaker in pieces:
        if not words:
            continue
        if out:
            n += 1
            uid = f"{id_prefix}.{n}"
        else:
            uid = original.utterance_id
        out.append(EditUtterance(uid, speaker, words, revision_id))
    return tuple(out)


def _splice(transcript: Transcript, start: int, stop: int, after: tuple[EditUtterance, ...]) -> Transcript:
    return transcript[:start] + after + transcript[stop:]


def _reassign(transcript: Transcript, edit: Reassign, revision_id, id_prefix) -> Applied:
    i = _position(transcript, edit.utterance_id)
    u = transcript[i]
    n = len(u.words)
    a = 0 if edit.from_word is None else edit.from_word
    b = n if edit.to_word is None else edit.to_word
    if not 0 <= a < b <= n:
        raise EditRefused(f"{u.utterance_id}: words {a}-{b} are not a range of its {n} words")
    if edit.speaker_label == u.speaker_label:
        raise EditRefused(f"{u.utterance_id} is {edit.speaker_label}'s already")
    after = _parts(
        u,
        [(u.words[:a], u.speaker_label), (u.words[a:b], edit.speaker_label), (u.words[b:], u.speaker_label)],
        revision_id,
        id_prefix,
    )
    return Applied(_splice(transcript, i, i + 1, after), (u,), after)


def _split(transcript: Transcript, edit: Split, revision_id, id_prefix) -> Applied:
    i = _position(transcript, edit.utterance_id)
    u = transcript[i]
    if not 1 <= edit.at_word < len(u.words):
        raise EditRefused(
            f"{u.utterance_id}: cannot split before word {edit.at_word} of {len(u.words)} (each part needs a word)"
        )
    after = _parts(
        u,
        [(u.words[: edit.at_word], u.speaker_label), (u.words[edit.at_word :], u.speaker_label)],
        revision_id,
        id_prefix,
    )
    return Applied(_splice(transcript, i, i + 1, after), (u,), after)


def _merge(transcript: Transcript, edit: Merge, revision_id) -> Applied:
    i = _position(transcript, edit.utterance_id)
    if i + 1 >= len(transcript) or transcript[i + 1].utterance_id != edit.next_utterance_id:
        raise EditRefused(f"{edit.next_utterance_id} is not the utterance after {edit.utterance_id}")
    first, second = transcript[i], transcript[i + 1]
    merged = EditUtterance(first.utterance_id, first.speaker_label, first.words + second.words, revision_id)
    return Applied(_splice(transcript, i, i + 2, (merged,)), (first, second), (merged,))


def _edit_words(transcript: Transcript, edit: EditWords, revision_id) -> Applied:
    i = _position(transcript, edit.utterance_id)
    u = transcript[i]
    tokens = edit.text.split()
    if tokens == [w.word for w in u.words]:
        raise EditRefused(f"{u.utterance_id}: the words are unchanged")
    words = retime_words(u.words, tokens)
    after = (EditUtterance(u.utterance_id, u.speaker_label, words, revision_id),) if words else ()
    return Applied(_splice(transcript, i, i + 1, after), (u,), after)


def _rename(transcript: Transcript, edit: RenameSpeaker, revision_id) -> Applied:
    check_new_speaker_name(edit.new_label)
    labels = {u.speaker_label for u in transcript}
    if edit.new_label in labels:
        raise EditRefused(f"a speaker is called {edit.new_label!r} already (merge speakers on the speakers page)")
    before = tuple(u for u in transcript if u.speaker_label == edit.speaker_label)
    renamed = {u.utterance_id: replace(u, speaker_label=edit.new_label, revision_id=revision_id) for u in before}
    new = tuple(renamed.get(u.utterance_id, u) for u in transcript)
    return Applied(new, before, tuple(renamed.values()))


def retime_words(old: tuple[EditWord, ...], tokens: list[str]) -> tuple[EditWord, ...]:
    """The utterance's new words: tokens equal to old words but for case and edge punctuation (in
    order, by difflib's matching) keep their times and probability; typed tokens share the time of the words they replace, or of the pause
    where they were inserted, evenly, and have no probability."""
    if not old:
        raise EditRefused("an utterance without words has no times to give typed words")
    matcher = difflib.SequenceMatcher(
        a=[normalise_word(w.word) for w in old], b=[normalise_word(t) for t in tokens], autojunk=False
    )
    out: list[EditWord] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":  # the same word heard, perhaps re-spelt ("daily" → "daily.")
            out.extend(replace(w, word=t) for w, t in zip(old[i1:i2], tokens[j1:j2]))
        elif op == "replace":
            out.extend(_spread(tokens[j1:j2], old[i1].start_s, max(w.end_s for w in old[i1:i2])))
        elif op == "insert":
            start = out[-1].end_s if out else old[0].start_s
            end = old[i1].start_s if i1 < len(old) else old[-1].end_s
            out.extend(_spread(tokens[j1:j2], start, max(start, end)))
        # "delete": the words are gone
    return tuple(out)


def _spread(tokens: list[str], start_s: float, end_s: float) -> list[EditWord]:
    step = (end_s - start_s) / len(tokens)
    return [
        EditWord(token, round(start_s + k * step, 3), round(start_s + (k + 1) * step, 3), None)
        for k, token in enumerate(tokens)
    ]


def same_words(a: tuple[EditWord, ...], b: tuple[EditWord, ...]) -> bool:
    """The same words at the same times (to the millisecond they are stored with)."""
    return len(a) == len(b) and all(
        x.word == y.word
        and abs(x.start_s - y.start_s) <= TIME_TOLERANCE_S
        and abs(x.end_s - y.end_s) <= TIME_TOLERANCE_S
        for x, y in zip(a, b)
    )
