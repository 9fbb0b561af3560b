"""Labelled utterances for training and evaluation: the seed corpus and rater-confirmed labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dialogic.errors import StoreError
from dialogic.files import sha256_file
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
    prev_role: str | None = None  # the previous utterance in the meeting, when the corpus has it
    prev_text: str | None = None
    prev_same: bool | None = None  # whether the same speaker said it (None: not recorded)

    def context(self) -> tuple:
        """The preceding utterance as the tagger reads it (an `encoder.Context`). Where the corpus
        does not record whether the same speaker said it, the same role stands in for the same
        speaker (generated rows with a role and a lead-in; real meetings use speaker labels)."""
        from dialogic.tagging.encoder import Turn

        if not self.prev_text:
            return ()
        same = self.prev_same
        if same is None and self.prev_role and self.speaker_role:
            same = self.prev_role == self.speaker_role
        return (Turn(self.prev_text, same),)


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
                    source=str(data.get("source", "seed")),
                    prev_role=data.get("prev_role"),
                    prev_text=data.get("prev_text"),
                    prev_same=data.get("prev_same"),
                )
            )
        except (ValueError, KeyError) as exc:
            raise StoreError(f"{path}:{n}: not a labelled utterance: {exc}") from exc
    bad = {r.split for r in rows} - set(SPLITS)
    if bad:
        raise StoreError(f"{path}: unknown split(s) {sorted(bad)}, expected {SPLITS}")
    return rows


def training_corpus_paths() -> list[Path]:
    """The corpus files `dialogic train` reads by default: the templated seed corpus, the
    realistic-talk corpus, the codebook-boundary corpus, the ASR transcripts of parts of them, the
    rules corpus and the own-voice corpus (see data/seed/DATA_CARD.md); all but the first only
    when present."""
    seed = _REPO_DIR / "data" / "seed"
    extra = [
        seed / name
        for name in (
            "realistic.jsonl",
            "spoken_asr.jsonl",
            "boundary.jsonl",
            "boundary_asr.jsonl",
            "rules.jsonl",
            "own_voice.jsonl",
        )
    ]
    return [seed_corpus_path()] + [p for p in extra if p.is_file()]


def corpus_fingerprint(paths: list[Path] | None = None) -> dict[str, str]:
    """The sha256 of every corpus file a training run reads, by path (relative to the repository
    where it lies inside it), for its model card: which data a version was trained on, so that a
    later change to a corpus file shows. Taken before training, from the same list of paths."""
    out = {}
    for path in paths or training_corpus_paths():
        path = Path(path).resolve()
        name = str(path.relative_to(_REPO_DIR)) if path.is_relative_to(_REPO_DIR) else str(path)
        out[name] = sha256_file(path)
    return out


def load_training_corpus(paths: list[Path] | None = None) -> list[LabelledUtterance]:
    """Every labelled utterance of ``paths`` (default `training_corpus_paths`), with the file
    stem as ``source`` unless a row names its own. Ids must be unique across files."""
    rows: list[LabelledUtterance] = []
    for path in paths or training_corpus_paths():
        part = load_seed_corpus(path)
        if Path(path).resolve() != seed_corpus_path().resolve():
            for row in part:
                if row.source == "seed":
                    row.source = path.stem
        rows += part
    ids = [r.utterance_id for r in rows]
    if len(ids) != len(set(ids)):
        raise StoreError("the training corpus files repeat utterance ids")
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
