"""Tags in DuckDB: one row per utterance × tag × model version (tables in 002_tags.sql).

Re-tagging a meeting with the same model version replaces that meeting's rows for that version;
another version adds its own rows next to the old ones, so versions can be compared. This module
predicts the rows; `dialogic.store.tags` writes them.
"""

from __future__ import annotations

from typing import Protocol

import pyarrow as pa

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
