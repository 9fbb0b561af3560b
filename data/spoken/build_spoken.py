"""Turn espeak-ng + faster-whisper transcripts (speak_and_transcribe.py output) into corpus files.

- ``data/heldout/asr.jsonl``: the held-out written set as transcribed; the spoken-form test set.
- ``data/seed/spoken_asr.jsonl``: transcripts of a random 900 train/dev utterances of the seed
  corpus and 500 written train/dev utterances of the realistic corpus; each keeps its split.

Labels are kept from the written text. The codebook says an utterance too garbled to tell is
coded no; rather than relabel by hand, transcripts with a word error rate over ``MAX_WER``
against the written text are left out (their count is printed and recorded in the data card),
as are empty transcripts.

    python data/spoken/speak_and_transcribe.py data/heldout/written.jsonl /tmp/heldout_asr_raw.jsonl
    python data/spoken/speak_and_transcribe.py <900 seed rows> /tmp/seed_asr_raw.jsonl
    python data/spoken/speak_and_transcribe.py <500 realistic rows> /tmp/real_asr_raw.jsonl
    python data/spoken/build_spoken.py /tmp/heldout_asr_raw.jsonl /tmp/seed_asr_raw.jsonl /tmp/real_asr_raw.jsonl

- ``data/seed/boundary_asr.jsonl`` (added for dialogic-tagger-v3): transcripts of the written-form
  train/dev rows of ``boundary.jsonl``; ``-`` leaves the held-out set as it is:

    python data/spoken/speak_and_transcribe.py <boundary written train/dev rows> /tmp/bnd_asr_raw.jsonl
    python data/spoken/build_spoken.py - /tmp/bnd_asr_raw.jsonl --training-out data/seed/boundary_asr.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_WER = 0.5
TAGS = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
KEYS = [
    "id",
    "text",
    "speaker_role",
    "split",
    *TAGS,
    "prev_role",
    "prev_text",
    "written_text",
    "asr_wer",
    "voice",
    "source_id",
]


def convert(paths: list[Path], prefix: str, out: Path, keep_ids: set[str] | None = None) -> None:
    kept, dropped = [], {"empty": 0, "wer": 0, "not in source set": 0}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if keep_ids is not None and row["id"] not in keep_ids:
                dropped["not in source set"] += 1
                continue
            if not row["text"].strip():
                dropped["empty"] += 1
                continue
            if row["asr_wer"] > MAX_WER:
                dropped["wer"] += 1
                continue
            row["source_id"], row["id"] = row["id"], f"{prefix}-{row['id']}"
            kept.append({k: row.get(k) for k in KEYS})
    with open(out, "w", encoding="utf-8") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    wer = sum(r["asr_wer"] for r in kept) / max(1, len(kept))
    print(
        f"{out.relative_to(ROOT)}: {len(kept)} kept (mean WER {wer:.3f}), left out {dropped}",
        {t: sum(r[t] for r in kept) for t in TAGS},
        {s: sum(r["split"] == s for r in kept) for s in ("train", "dev", "test")},
    )


def main() -> None:
    args = sys.argv[1:]
    training_out = ROOT / "data" / "seed" / "spoken_asr.jsonl"
    if "--training-out" in args:
        at = args.index("--training-out")
        training_out = Path(args[at + 1]).resolve()
        del args[at : at + 2]
    heldout, *training = args
    if heldout != "-":
        written = ROOT / "data" / "heldout" / "written.jsonl"
        ids = {json.loads(line)["id"] for line in written.read_text(encoding="utf-8").splitlines() if line.strip()}
        convert([Path(heldout)], "asr", ROOT / "data" / "heldout" / "asr.jsonl", ids)
    if training:
        convert([Path(p) for p in training], "asr", training_out)


if __name__ == "__main__":
    main()
