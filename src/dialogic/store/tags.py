"""Tag rows and the tagger register: the writes of `dialogic.tagging.tag_store`, moved here with
their bodies unchanged (the tag set's storage shape is issue #24 item 4's). Prediction stays in
`dialogic.tagging.tag_store`."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from dialogic.db import transaction
from dialogic.errors import LookupFailed, StoreError
from dialogic.store.facts import refresh_current_tagger_facts, refresh_meeting_facts
from dialogic.tagging.tag_store import _UTTERANCES, TaggerLike, context_turns, predict_tag_rows


def register_tagger(con: duckdb.DuckDBPyConnection, tagger: TaggerLike) -> None:
    """Upsert the tagger's row in ``tagger_models`` and mark it the most recently activated."""
    manifest = getattr(tagger, "manifest", {}) or {}
    metrics = manifest.get("metrics", {}).get(manifest.get("recipe"), {}).get("test")
    name, _, version = tagger.model_version.rpartition("-v")
    con.execute(
        """
        insert into tagger_models (model_version, name, version, thresholds, metrics, sha256, activated_at)
        values (?, ?, ?, ?, ?, ?, current_timestamp)
        on conflict (model_version) do update set
            thresholds = excluded.thresholds, metrics = excluded.metrics,
            sha256 = excluded.sha256, activated_at = excluded.activated_at
        """,
        [
            tagger.model_version,
            getattr(tagger, "name", name) or name,
            int(getattr(tagger, "version", version or 0) or 0),
            json.dumps(tagger.thresholds),
            json.dumps(metrics) if metrics else None,
            getattr(tagger, "sha256", None),
        ],
    )


def write_tag_rows(con: duckdb.DuckDBPyConnection, meeting_id: str, tagger: TaggerLike, rows: pa.Table) -> None:
    """Replace the meeting's rows for ``tagger.model_version`` with ``rows`` and register the
    tagger. Runs inside the caller's transaction; the caller refreshes the facts after it (and
    `dialogic.store.facts.refresh_current_tagger_facts`, since registering moves the current version)."""
    con.execute("delete from tags where meeting_id = ? and model_version = ?", [meeting_id, tagger.model_version])
    _insert_tag_rows(con, meeting_id, tagger, rows)
    register_tagger(con, tagger)


def _insert_tag_rows(con: duckdb.DuckDBPyConnection, meeting_id: str, tagger: TaggerLike, rows) -> None:
    """Append ``rows`` (`predict_tag_rows`) as the meeting's tags by ``tagger``."""
    con.register("new_tag_rows", rows)
    try:
        con.execute(
            """
            insert into tags (utterance_id, meeting_id, tag, probability, label, threshold, model_version, precision)
            select utterance_id, ?, tag, probability, label, threshold, ?, ? from new_tag_rows
            """,
            [meeting_id, tagger.model_version, getattr(tagger, "precision", "fp32")],
        )
    finally:
        con.unregister("new_tag_rows")


def retag_utterances(
    con: duckdb.DuckDBPyConnection,
    meeting_id: str,
    changed_ids: list[str],
    removed_ids: list[str],
    tagger: TaggerLike | None,
) -> int:
    """After a transcript correction: drop every version's tags of the utterances whose text or
    speaker changed (``changed_ids``) or that are gone (``removed_ids``) — they were computed on
    words or a speaker that no longer stand — and tag the changed ones again with ``tagger``
    (the meeting's current version; None leaves them untagged). With a tagger that reads
    context, its rows of the utterance after each changed one are redone too (their context
    changed), and of the whole meeting when an utterance was removed (what follows it now
    follows another). ``tagger_models`` is not touched: tagging a few utterances must not make a
    version current elsewhere. Runs inside the caller's transaction; the caller refreshes the
    facts. Returns the rows written."""
    gone = list(changed_ids) + list(removed_ids)
    if gone:
        con.execute("delete from tags where meeting_id = ? and list_contains(?, utterance_id)", [meeting_id, gone])
    if tagger is None or not (changed_ids or (removed_ids and context_turns(tagger))):
        return 0
    rows = con.execute(_UTTERANCES, [meeting_id, meeting_id]).fetchall()
    redo = set(changed_ids)
    if context_turns(tagger):
        order = [r[0] for r in rows]
        if removed_ids:
            redo = set(order)
        else:
            redo |= {order[i] for i in range(1, len(order)) if order[i - 1] in changed_ids}
        neighbours = sorted(redo - set(changed_ids))
        con.execute(
            "delete from tags where meeting_id = ? and model_version = ? and list_contains(?, utterance_id)",
            [meeting_id, tagger.model_version, neighbours],
        )
    new_rows = predict_tag_rows(
        tagger,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        speakers=[r[3] for r in rows],
        only=redo,
    )
    _insert_tag_rows(con, meeting_id, tagger, new_rows)
    return new_rows.num_rows


def tag_meeting(con: duckdb.DuckDBPyConnection, meeting_id: str, tagger: TaggerLike, *, batch_size: int = 256) -> int:
    """Tag every utterance of a stored meeting (with its speaker's role when mapped), replace that
    meeting's rows for ``tagger.model_version`` in one transaction, and return the rows written."""
    try:
        exists = con.execute("select count(*) from meetings where meeting_id = ?", [meeting_id]).fetchone()[0]
        rows = con.execute(_UTTERANCES, [meeting_id, meeting_id]).fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"cannot read utterances of meeting {meeting_id!r}: {exc}") from exc
    if not exists:
        raise LookupFailed(f"no meeting {meeting_id!r} in the database")
    new_rows = predict_tag_rows(
        tagger,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        batch_size=batch_size,
        speakers=[r[3] for r in rows],
    )
    try:
        with transaction(con):
            write_tag_rows(con, meeting_id, tagger, new_rows)
            # Views read the analytics facts: this meeting's tag values changed, and re-activating
            # the tagger can switch the current version of meetings that were not re-tagged.
            refresh_meeting_facts(con, meeting_id)
            refresh_current_tagger_facts(con)
    except duckdb.Error as exc:
        raise StoreError(f"cannot write tags of meeting {meeting_id!r}: {exc}") from exc
    return new_rows.num_rows
