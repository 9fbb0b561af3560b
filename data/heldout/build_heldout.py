"""Build data/heldout/written.jsonl from the hand-written meeting files written_*.txt.

The held-out set is written apart from data/seed/build_corpus.py and data/seed/build_realistic.py:
no frames, phrase tables or vocabulary lists are shared, and nothing here is ever trained on or
used to choose a model (see data/heldout/README.md). Each turn keeps the turn before it in the
same meeting block as context (``prev_role`` / ``prev_text``; empty at the start of a block).

    python data/heldout/build_heldout.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
ROLES = {"clinician", "peer", "network", "service_user", "other"}


def norm(text: str) -> str:
    return " ".join(
        "".join(c if c.isalnum() or c in " '" else " " for c in text.lower().replace("\u2019", "'")).split()
    )


def parse(path: Path) -> list[dict]:
    rows, meeting, prev = [], None, None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            meeting, prev = line[3:].split()[0], None
            continue
        role, flags, text = line.split("\t")
        assert role in ROLES and len(flags) == 4 and set(flags) <= {"0", "1"}, f"{path.name}:{n}"
        row = {
            "text": text.strip(),
            "speaker_role": role,
            "split": "test",
            "meeting": meeting,
            "prev_role": prev[0] if prev else None,
            "prev_text": prev[1] if prev else None,
        }
        # m17 / m18 / m23-m29 are lists of turns from different meetings: no shared context.
        if meeting and meeting >= "m17" and meeting not in {"m19", "m20", "m21"}:
            row["prev_role"] = row["prev_text"] = None
        row.update({tag: int(flag) for tag, flag in zip(TAGS, flags)})
        rows.append(row)
        prev = (role, text.strip())
    return rows


def main() -> None:
    rows = []
    for path in sorted(HERE.glob("written_*.txt")):
        rows += parse(path)
    for i, row in enumerate(rows, start=1):
        row["id"] = f"heldout-{i:04d}"
    # A few everyday lines were written that the seed corpus happens to contain too ("does that
    # make sense"); a test set must not hold training utterances, so they are left out (ids keep
    # their gaps so the ASR set's source ids stay valid).
    seed = {
        norm(json.loads(l)["text"])
        for l in (HERE.parent / "seed" / "utterances.jsonl").read_text().splitlines()
        if l.strip()
    }
    dropped = [r["text"] for r in rows if norm(r["text"]) in seed]
    rows = [r for r in rows if norm(r["text"]) not in seed]
    print(f"left out as also in the seed corpus: {dropped}")
    keys = ["id", "text", "speaker_role", "split", *TAGS, "prev_role", "prev_text", "meeting"]
    with open(HERE / "written.jsonl", "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({k: row[k] for k in keys}, ensure_ascii=False) + "\n")
    print(
        f"{len(rows)} utterances, positives:",
        {t: sum(r[t] for r in rows) for t in TAGS},
        "no tag:",
        sum(1 for r in rows if not any(r[t] for t in TAGS)),
    )


if __name__ == "__main__":
    main()
