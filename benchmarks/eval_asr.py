"""Word error rate of the offline speech recognisers, on speech whose words are known.

    python benchmarks/eval_asr.py [--models tiny.en base] [--references DIR]

Without --references, the speech is synthesised: the worked examples of docs/codebook.md (network
meeting talk with medication names) spoken by espeak-ng in two voices. That is not real speech —
figures on it rank the models on vocabulary and clean audio, not on a real meeting room; with
``--references DIR`` (pairs ``NAME.wav`` + ``NAME.txt``, e.g. a study's own hand transcripts)
the same table is printed for real recordings. Printed: per model, pooled WER (errors / reference
words), substitutions, deletions, insertions, and seconds of transcription per second of audio.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import dialogic  # noqa: F401  (privacy defaults)
from dialogic.audio import decode_audio
from dialogic.options import TranscriptionOptions
from dialogic.tagging.codebook import load_codebook_examples
from dialogic.transcribe import transcribe_audio

VOICES = ("en-gb", "en-us")


def normalise(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split()


def edit_counts(reference: list[str], hypothesis: list[str]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of the cheapest alignment."""
    n, m = len(reference), len(hypothesis)
    cost = np.zeros((n + 1, m + 1), dtype=int)
    cost[:, 0], cost[0, :] = np.arange(n + 1), np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i, j] = min(
                cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (reference[i - 1] != hypothesis[j - 1])
            )
    i, j, subs, dels, ins = n, m, 0, 0, 0
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i, j] == cost[i - 1, j - 1] + (reference[i - 1] != hypothesis[j - 1]):
            subs += reference[i - 1] != hypothesis[j - 1]
            i, j = i - 1, j - 1
        elif i > 0 and cost[i, j] == cost[i - 1, j] + 1:
            dels, i = dels + 1, i - 1
        else:
            ins, j = ins + 1, j - 1
    return subs, dels, ins


def synthesised(work: Path) -> list[tuple[Path, str]]:
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng), or pass --references DIR")
    pairs = []
    for k, example in enumerate(load_codebook_examples()):
        voice = VOICES[k % len(VOICES)]
        path = work / f"{example.example_id}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), example.text], check=True)
        pairs.append((path, example.text))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--references", type=Path, help="folder of NAME.wav + NAME.txt pairs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dialogic-asr-"))
    if args.references:
        pairs = [(wav, wav.with_suffix(".txt").read_text()) for wav in sorted(args.references.glob("*.wav"))]
        source = f"{len(pairs)} recordings in {args.references}"
    else:
        pairs = synthesised(work)
        source = f"{len(pairs)} codebook examples synthesised by espeak-ng ({', '.join(VOICES)}): not real speech"
    audio = [(decode_audio(path), normalise(text)) for path, text in pairs]
    seconds = sum(a.duration_s for a, _ in audio)
    print(f"{source}; {seconds:.0f} s of audio\n")
    print(f"{'model':<10} {'WER':>6} {'subs':>5} {'dels':>5} {'ins':>5} {'ref words':>9} {'RTF':>6}")
    for model in args.models:
        options = TranscriptionOptions(model=model, language="en", cpu_threads=2)
        transcribe_audio(audio[0][0], options)  # load the model outside the timing
        subs = dels = ins = words = 0
        started = time.perf_counter()
        for decoded, reference in audio:
            hypothesis = normalise(" ".join(w.word for w in transcribe_audio(decoded, options).words))
            s, d, i = edit_counts(reference, hypothesis)
            subs, dels, ins, words = subs + s, dels + d, ins + i, words + len(reference)
        elapsed = time.perf_counter() - started
        print(
            f"{model:<10} {(subs + dels + ins) / words:6.3f} {subs:5d} {dels:5d} {ins:5d} {words:9d} {elapsed / seconds:6.3f}"
        )


if __name__ == "__main__":
    main()
