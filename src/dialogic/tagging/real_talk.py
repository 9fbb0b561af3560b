"""Real annotated conversation (``shared/data/real-talk``) as negatives, positives and a dev measure.

The set (92,715 utterances from ICSI meetings, CaSiNo and PersuasionForGood; its README says how
each source's labels map onto the four tags) lives outside the repository and is never copied
in: it is read from ``$DIALOGIC_REAL_TALK`` or ``../shared/data/real-talk/`` beside the checkout,
and everything that uses it does without it when it is absent.

Rows are split by ``dialogue_id`` (a whole meeting or chat goes to one part), by the sha256 of
the id, so the split is the same on every machine: 60 % train, 20 % threshold (false fires
counted when thresholds are chosen), 20 % dev (reported, never used to choose). Labels per tag:
1 for the source's clean positives where the codebook agrees, 0 for its trusted negatives, -1
(not counted) otherwise. The codebook wins over the source's mapping:

- ``persuasion`` positives (PersuasionForGood foot-in-the-door and ask-donate-more) are mostly
  gentle appeals ("every little bit helps") that the codebook codes no, and none is pressure
  as the codebook defines it, so they are never trained on; dev reports their recall as a
  diagnostic only.
- ``preference_elicitation`` positives (CaSiNo elicit-pref, P4G ask-donation-amount) are kept
  where the utterance asks a question ("?"): the statements among them ("I need food") are not asks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
from pathlib import Path

from dialogic.errors import StoreError
from dialogic.paths import _REPO_DIR
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.corpus import LabelledUtterance

FILE_NAME = "real_talk_dev.jsonl.gz"
PARTS = ("train", "threshold", "dev")
TRAINED_POSITIVES = ("preference_elicitation",)


def real_talk_path() -> Path:
    """``$DIALOGIC_REAL_TALK`` (the folder or the file), else ``../shared/data/real-talk/`` next to the checkout."""
    env = os.environ.get("DIALOGIC_REAL_TALK")
    base = Path(env) if env else _REPO_DIR.parent / "shared" / "data" / "real-talk"
    return base / FILE_NAME if base.is_dir() else base


def available() -> bool:
    return real_talk_path().is_file()


def part_of(dialogue_id: str) -> str:
    """``train``, ``threshold`` or ``dev`` for a dialogue, from the sha256 of its id."""
    bucket = int(hashlib.sha256(dialogue_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "threshold" if bucket < 8 else "dev"


def _context(row: dict) -> tuple[str | None, bool | None]:
    """The last utterance before this one and whether the same speaker said it."""
    raw = row.get("context") or ""
    if not raw.strip():
        return None, None
    last = raw.split(" | ")[-1]
    speaker, sep, text = last.partition(": ")
    if not sep:
        return last.strip() or None, None
    return text.strip() or None, speaker.strip() == str(row.get("source_speaker"))


def _labels(row: dict) -> dict[str, int]:
    labels: dict[str, int] = {}
    for tag in TAGS:
        if tag in row.get("labels", []):
            labels[tag] = 1
        elif tag in row.get("negative_for", []):
            labels[tag] = 0
    # the codebook disagrees with the source's persuasion positives (see the module docstring)
    pref = labels.get("preference_elicitation")
    if pref == 1 and "?" not in row["text"]:
        labels.pop("preference_elicitation")
    return labels


def load_real_talk(path: Path | None = None) -> list[dict]:
    """Every row of the set, as the file gives it."""
    path = path or real_talk_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable real-talk file: {exc}") from exc


def to_utterance(row: dict, split: str, *, train_positives: bool) -> LabelledUtterance:
    labels = _labels(row)
    if train_positives:
        labels = {t: v for t, v in labels.items() if v == 0 or t in TRAINED_POSITIVES}
    prev_text, same = _context(row)
    return LabelledUtterance(
        utterance_id=f"rt:{row['id']}",
        text=row["text"],
        speaker_role=None,  # role unknown: the sources have no meeting roles
        split=split,
        labels=labels,
        source=f"real_talk_{row['source']}",
        prev_text=prev_text,
        prev_same=same,
    )


def sample_part(
    rows: list[dict], part: str, *, negatives: int, seed: int = 13, positives: bool = True, split: str | None = None
) -> list[LabelledUtterance]:
    """From one part: ``negatives`` rows drawn with ``seed`` among those that are a trusted
    negative for some tag and a clean positive for none, plus (``positives``) every clean
    positive of the part. Training rows carry only the positives the codebook agrees with."""
    mine = [r for r in rows if part_of(str(r["dialogue_id"])) == part]
    pos = [r for r in mine if r.get("labels")]
    neg = [r for r in mine if not r.get("labels") and r.get("negative_for")]
    drawn = random.Random(f"{seed}:{part}").sample(neg, min(negatives, len(neg)))
    chosen = drawn + (pos if positives else [])
    training = part == "train"
    out = [to_utterance(r, split or part, train_positives=training) for r in chosen]
    return [u for u in out if u.labels]
