"""Speak utterances with espeak-ng and transcribe them with the pipeline's own ASR.

For each input row (JSONL with at least ``id`` and ``text``) a synthetic voice reads the text
(espeak-ng: a random English voice, voice variant, speed and pitch chosen from the row id, so a
rerun gives the same audio), then `dialogic.transcribe.transcribe_audio` (faster-whisper tiny.en,
int8, the pipeline's defaults) transcribes it, and the transcript is lowercased and stripped of
punctuation as the utterance builder's output would be. The output row keeps every input field,
puts the transcript in ``text``, the written text in ``written_text``, and adds ``asr_wer`` (word
error rate of the transcript against the written text, after the same normalisation) and
``voice``. Rows whose transcript is empty are written with ``text`` "" and left to the caller.

    python data/spoken/speak_and_transcribe.py IN.jsonl OUT.jsonl [--limit N] [--threads 1]

Needs espeak-ng (apt-get install espeak-ng) and the tiny.en weights (dialogic models fetch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VOICES = ["en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-us", "en-029"]
VARIANTS = ["", "+m1", "+m3", "+m5", "+f1", "+f2", "+f3", "+f4", "+klatt", "+croak"]


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def wer(ref: str, hyp: str) -> float:
    r, h = ref.split(), hyp.split()
    if not r:
        return 0.0 if not h else 1.0
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / len(r)


def voice_for(row_id: str) -> tuple[str, int, int]:
    h = int(hashlib.sha256(row_id.encode()).hexdigest(), 16)
    voice = VOICES[h % len(VOICES)] + VARIANTS[(h // 7) % len(VARIANTS)]
    return voice, 140 + (h // 101) % 60, 35 + (h // 1009) % 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from dialogic.audio import decode_audio
    from dialogic.transcribe import TranscriptionOptions, transcribe_audio

    options = TranscriptionOptions(cpu_threads=args.threads)
    rows = [json.loads(line) for line in args.src.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.limit:
        rows = rows[: args.limit]
    done = set()
    if args.dst.exists():  # resume
        done = {json.loads(line)["id"] for line in args.dst.read_text(encoding="utf-8").splitlines() if line.strip()}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, open(args.dst, "a", encoding="utf-8") as out:
        wav = Path(tmp) / "u.wav"
        for n, row in enumerate(rows, start=1):
            if row["id"] in done:
                continue
            voice, speed, pitch = voice_for(row["id"])
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), row["text"]],
                check=True,
                capture_output=True,
            )
            transcript = transcribe_audio(decode_audio(wav), options)
            heard = normalise(" ".join(w.word for w in transcript.words))
            new = dict(
                row,
                text=heard,
                written_text=row["text"],
                voice=f"{voice} s{speed} p{pitch}",
                asr_wer=round(wer(normalise(row["text"]), heard), 3),
            )
            out.write(json.dumps(new, ensure_ascii=False) + "\n")
            out.flush()
            if n % 50 == 0:
                print(f"{n}/{len(rows)} {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
