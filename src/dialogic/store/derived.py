"""What follows a change to a meeting's base rows: one rule, called by every writer.

A tagger reads, per utterance in spoken order, its text, its speaker (a context model marks each
earlier turn same or other speaker) and, for v1–v3, its speaker's role. So after any write —
a meeting stored, speakers mapped or merged, a transcript corrected, a participant withdrawn, the
manifest's roles read again — the writer takes `tagger_inputs` before it writes and calls
`propagate` after, inside the same transaction, and `propagate`:

1. tags again, with the meeting's current tagger version, the utterances whose text or speaker
   changed or that are new, and those whose role changed when that version reads the role
   (`dialogic.store.tags.retag_utterances` also redoes the next utterance for a context
   model, and the whole meeting when one was removed); tags of removed utterances go;
2. refreshes the word error rate and the meeting's analytics facts, and, when the write
   registered a tagger, the facts of meetings whose current version that moved.

So a meeting mapped before it is processed and one mapped after end with the same tags and
facts: no writer decides for itself what its change invalidates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from dialogic.errors import DialogicError
from dialogic.store.facts import refresh_current_tagger_facts, refresh_meeting_facts, refresh_word_errors

if TYPE_CHECKING:  # the encoder module loads torch and transformers: a write that re-tags nothing loads neither
    from dialogic.tagging.encoder import InputSpec

# utterance id → (text, speaker label, role): what a tagger reads of it.
TaggerInputs = dict[str, tuple[str, str | None, str | None]]


def default_tagger_loader(model_version: str):
    """Load a shipped tagger by version (imported only when a re-tag needs it: it loads torch)."""
    from dialogic.tagging.tagger import load_tagger

    return load_tagger(model_version)


@dataclass(frozen=True)
class Change:
    """One write to a meeting: ``what`` names it (for the record), ``before`` is `tagger_inputs`
    read before the write, ``tagger_registered`` whether the write registered a tagger."""

    meeting_id: str
    what: str  # 'stored' | 'mapped' | 'merged' | 'corrected' | 'withdrawn' | 'manifest'
    before: TaggerInputs
    tagger_registered: bool = False


@dataclass(frozen=True)
class Propagated:
    """What a change led to: utterances tagged again, and those left untagged because the
    meeting's tagger version could not be loaded (``note`` says why)."""

    retagged: tuple[str, ...] = ()
    untagged: tuple[str, ...] = ()
    note: str | None = None


def tagger_inputs(con: duckdb.DuckDBPyConnection, meeting_id: str) -> TaggerInputs:
    """Each utterance of the meeting, in order, with the text, speaker and role a tagger reads."""
    rows = con.execute(
        """
        select u.utterance_id, u.text, u.speaker_label, r.role
        from utterances as u
        left join compute_speaker_roles(?) as r on r.meeting_id = u.meeting_id and r.speaker_label = u.speaker_label
        where u.meeting_id = ?
        order by u.utterance_index
        """,
        [meeting_id, meeting_id],
    ).fetchall()
    return {uid: (text, speaker, role) for uid, text, speaker, role in rows}


def current_tagger_version(con: duckdb.DuckDBPyConnection, meeting_id: str) -> str | None:
    """The tagger version whose tags the views use for this meeting (None: never tagged)."""
    row = con.execute("select model_version from compute_current_tagger(?)", [meeting_id]).fetchone()
    return row[0] if row else None


def input_spec_of(model_version: str) -> InputSpec:
    """What ``model_version`` reads, from its artifact's manifest (no weights loaded). A version
    with no artifact here is taken to read the role, as v1–v3 do: its tags are then treated as
    depending on everything they might."""
    from dialogic.tagging.artifacts import resolve_artifact
    from dialogic.tagging.encoder import InputSpec

    try:
        manifest = json.loads((resolve_artifact(model_version) / "manifest.json").read_text())
    except (DialogicError, OSError, ValueError):
        return InputSpec()
    return InputSpec.from_manifest(manifest)


def propagate(
    con: duckdb.DuckDBPyConnection,
    change: Change,
    *,
    tagger=None,
    load_tagger: Callable[[str], object] | None = default_tagger_loader,
) -> Propagated:
    """Bring the meeting's tags and facts in line with ``change`` (see the module docstring).

    Runs inside the writer's transaction. ``tagger``: a loaded tagger, used when it is the
    meeting's current version; otherwise that version is loaded with ``load_tagger`` only if
    something must be tagged again (None: never load; what changed is left untagged, as a run
    that does not tag leaves it). A version that cannot be loaded leaves the affected utterances
    untagged rather than keeping tags computed on what no longer stands.
    """
    mid = change.meeting_id
    before, after = change.before, tagger_inputs(con, mid)
    removed = [u for u in before if u not in after]
    moved = [u for u, (text, speaker, _) in after.items() if before.get(u, (None, None, None))[:2] != (text, speaker)]
    recast = [u for u, inputs in after.items() if u in before and u not in moved and before[u][2] != inputs[2]]
    result = Propagated()
    version = current_tagger_version(con, mid)
    if version is not None and (moved or removed or recast):
        from dialogic.tagging.encoder import InputSpec

        spec = getattr(tagger, "input_spec", InputSpec()) if _is(tagger, version) else input_spec_of(version)
        redo = moved + (recast if spec.role else [])
        if redo or removed:
            result = _retag(con, mid, version, spec, redo, removed, tagger, load_tagger)
    refresh_word_errors(con, mid)
    refresh_meeting_facts(con, mid)
    if change.tagger_registered:
        refresh_current_tagger_facts(con)
    return result


def _is(tagger, version: str) -> bool:
    return tagger is not None and getattr(tagger, "model_version", None) == version


def _retag(con, mid: str, version: str, spec: InputSpec, redo, removed, tagger, load_tagger) -> Propagated:
    from dialogic.store.tags import retag_utterances

    note = None
    # a context model reads the turns before each one: a removal shifts every later one
    if not (redo or (removed and spec.context)):
        tagger = None
    elif not _is(tagger, version):
        tagger = None
        if load_tagger is not None:
            try:
                tagger = load_tagger(version)
            except DialogicError as exc:
                note = f"tags of the changed utterances dropped: {version} cannot be loaded ({exc})"
        else:
            note = "tags of the changed utterances dropped: they are not tagged again in this write"
    retag_utterances(con, mid, redo, removed, tagger)
    if tagger is None:
        return Propagated((), tuple(redo), note)
    return Propagated(tuple(redo), (), None)
