"""Tags in DuckDB: one row per utterance × tag × model version (tables in 002_tags.sql).

Re-tagging a meeting with the same model version replaces that meeting's rows for that version;
another version adds its own rows next to the old ones, so versions can be compared.
"""

from __future__ import annotations

import json
from typing import Protocol

import duckdb
import pyarrow as pa

from dialogic.db import transaction
from dialogic.errors import LookupFailed, StoreError
from dialogic.facts import refresh_current_tagger_facts, refresh_meeting_facts
from dialogic.tagging.codebook import TAGS


class TaggerLike(Protocol):
    model_version: str
    thresholds: dict[str, float]
    precision: str  # 'fp32' or 'bf16'

    def predict(self, texts: list[str], roles: list[str | None] | None = None) -> list[dict[str, float]]: ...


def context_turns(tagger: TaggerLike) -> int:
    """How many preceding utterances ``tagger`` reads (its input spec; 0 for v1–v3 and fakes)."""
    spec = getattr(tagger, "input_spec", None)
    return int(getattr(spec, "context", 0) or 0)


_UTTERANCES = """
select utterances.utterance_id, utterances.text, speaker_roles.role, utterances.speaker_label
from utterances
left join compute_speaker_roles(?) as speaker_roles
    on speaker_roles.meeting_id = utterances.meeting_id and speaker_roles.speaker_label = utterances.speaker_label
where utterances.meeting_id = ?
order by utterances.utterance_index
"""


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


def predict_tag_rows(
    tagger: TaggerLike,
    utterance_ids: list[str],
    texts: list[str],
    roles: list[str | None],
    *,
    batch_size: int = 256,
    speakers: list[str | None] | None = None,
    only: set[str] | None = None,
) -> pa.Table:
    """The ``tags`` rows (utterance_id, tag, probability, label, threshold) for these utterances:
    one per utterance × tag, labels from the tagger's thresholds.

    The lists are one meeting's utterances in spoken order: a tagger that reads context sees each
    utterance after the ones before it, marked same or other speaker by ``speakers`` (speaker
    labels; None: unknown). ``only``: tag just these utterance ids (their context still comes
    from the whole list)."""
    from dialogic.tagging.encoder import contexts_from_sequence

    n_context = context_turns(tagger)
    contexts = contexts_from_sequence(texts, speakers, n_context) if n_context else None
    if only is not None:
        keep = [i for i, u in enumerate(utterance_ids) if u in only]
        utterance_ids = [utterance_ids[i] for i in keep]
        texts, roles = [texts[i] for i in keep], [roles[i] for i in keep]
        contexts = [contexts[i] for i in keep] if contexts is not None else None
    probabilities: list[dict[str, float]] = []
    for start in range(0, len(texts), batch_size):
        part = slice(start, start + batch_size)
        if contexts is None:
            probabilities += tagger.predict(texts[part], roles[part])
        else:
            probabilities += tagger.predict(texts[part], roles[part], contexts[part])
    columns: dict[str, list] = {k: [] for k in ("utterance_id", "tag", "probability", "label", "threshold")}
    # the tags this tagger was trained on (its thresholds), in the codebook's order: a tagger
    # trained before a tag joined the codebook stores no rows for it
    tags = [tag for tag in TAGS if tag in tagger.thresholds]
    for utterance_id, probs in zip(utterance_ids, probabilities):
        for tag in tags:
            p = min(1.0, max(0.0, float(probs[tag])))
            columns["utterance_id"].append(utterance_id)
            columns["tag"].append(tag)
            columns["probability"].append(p)
            columns["label"].append(p >= tagger.thresholds[tag])
            columns["threshold"].append(float(tagger.thresholds[tag]))
    return pa.table(
        {
            "utterance_id": pa.array(columns["utterance_id"], pa.string()),
            "tag": pa.array(columns["tag"], pa.string()),
            "probability": pa.array(columns["probability"], pa.float64()),
            "label": pa.array(columns["label"], pa.bool_()),
            "threshold": pa.array(columns["threshold"], pa.float64()),
        }
    )


def write_tag_rows(con: duckdb.DuckDBPyConnection, meeting_id: str, tagger: TaggerLike, rows: pa.Table) -> None:
    """Replace the meeting's rows for ``tagger.model_version`` with ``rows`` and register the
    tagger. Runs inside the caller's transaction; the caller refreshes the facts after it (and
    `dialogic.facts.refresh_current_tagger_facts`, since registering moves the current version)."""
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
