"""Labelled utterances for training and evaluation: the seed corpus and rater-confirmed labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dialogic.errors import StoreError
from dialogic.paths import _REPO_DIR
from dialogic.tagging.codebook import TAGS

SPLITS = ("train", "dev", "test")


@dataclass
class LabelledUtterance:
    """One utterance with a 0/1 label per tag; ``labels`` lacks a tag when nobody judged it."""

    utterance_id: str
    text: str
    speaker_role: str | None
    split: str
    labels: dict[str, int] = field(default_factory=dict)
    source: str = "seed"


def seed_corpus_path() -> Path:
    return _REPO_DIR / "data" / "seed" / "utterances.jsonl"


def load_seed_corpus(path: Path | None = None) -> list[LabelledUtterance]:
    """The written seed corpus with its fixed train / dev / test split."""
    path = path or seed_corpus_path()
    if not path.is_file():
        raise StoreError(f"{path}: seed corpus not found")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(
                LabelledUtterance(
                    utterance_id=str(data["id"]),
                    text=data["text"],
                    speaker_role=data.get("speaker_role"),
                    split=data["split"],
                    labels={tag: int(data[tag]) for tag in TAGS if tag in data},
                )
            )
        except (ValueError, KeyError) as exc:
            raise StoreError(f"{path}:{n}: not a labelled utterance: {exc}") from exc
    bad = {r.split for r in rows} - set(SPLITS)
    if bad:
        raise StoreError(f"{path}: unknown split(s) {sorted(bad)}, expected {SPLITS}")
    return rows


def load_rater_labels(con: duckdb.DuckDBPyConnection) -> list[LabelledUtterance]:
    """Rater-confirmed labels from the ``rater_labels`` view, one utterance per row, all in the
    training split (dev and test stay the fixed seed splits so versions remain comparable).
    Returns nothing when the view does not exist yet."""
    try:
        rows = con.execute(
            "select utterance_id, any_value(text), any_value(speaker_role), tag, bool_or(label) "
            "from rater_labels group by utterance_id, tag order by utterance_id, tag"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    except duckdb.Error as exc:
        raise StoreError(f"cannot read rater_labels: {exc}") from exc
    by_id: dict[str, LabelledUtterance] = {}
    for utterance_id, text, role, tag, label in rows:
        if tag not in TAGS:
            continue
        item = by_id.setdefault(
            utterance_id,
            LabelledUtterance(utterance_id=utterance_id, text=text, speaker_role=role, split="train", source="rater"),
        )
        item.labels[tag] = int(bool(label))
    return list(by_id.values())


def split_rows(rows: list[LabelledUtterance], split: str) -> list[LabelledUtterance]:
    return [r for r in rows if r.split == split]
