"""Word error rate of windowed transcription against one pass, on a long recording whose words are known.

    python benchmarks/eval_asr_windows.py [--minutes 20] [--model base] [--windows 0 600 300] [--seed 0]

A ``--minutes`` long recording is synthesised by espeak-ng from the utterances of
data/seed/utterances.jsonl in file order (two voices, speaking rates 140–175 words a minute, gaps
of 0.3–1.5 s, seeded), so its words are known. It is transcribed in one pass (``window_s`` 0)
and in windows of each other ``--windows`` length (`dialogic.asr_windows`). Printed per setting:
WER against the known words (substitutions, deletions, insertions), WER against the first
setting's transcript (how much the cutting changes), and seconds of transcription per second of
audio. ``--audio PATH`` runs a real recording instead, whose words are not known: comparing two
window lengths there shows how much a transcript moves when only where decoding restarts moves.

Synthesised speech is not real speech: the figures say how much cutting into windows changes
what the recogniser hears, not how well it hears a meeting room.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_asr import edit_counts, normalise  # noqa: E402  (a sibling script)

import dialogic  # noqa: E402, F401  (privacy defaults)

ROOT = Path(__file__).resolve().parent.parent
VOICES = ("en-gb", "en-us")
RATE = 16000


def synthesise(minutes: float, work: Path, seed: int = 0) -> tuple[np.ndarray, str]:
    """Samples (16 kHz float32) of the utterances spoken one after another, and their text."""
    from dialogic.audio import decode_audio

    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    rng = np.random.default_rng(seed)
    lines = (ROOT / "data" / "seed" / "utterances.jsonl").read_text().splitlines()
    pieces, texts, total = [], [], 0
    for k, line in enumerate(lines):
        if total >= minutes * 60 * RATE:
            break
        text = json.loads(line)["text"]
        path = work / f"u{k}.wav"
        speed = str(int(rng.integers(140, 176)))
        subprocess.run(["espeak-ng", "-v", VOICES[k % 2], "-s", speed, "-w", str(path), text], check=True)
        speech = decode_audio(path).samples
        gap = rng.normal(0, 10 ** (-60 / 20), int(rng.uniform(0.3, 1.5) * RATE)).astype(np.float32)
        pieces += [speech, gap]
        texts.append(text)
        total += len(speech) + len(gap)
    if total < minutes * 60 * RATE:
        sys.exit(f"the utterances give only {total / RATE / 60:.1f} min of speech")
    return np.concatenate(pieces), " ".join(texts)


def wer(reference: list[str], hypothesis: list[str]) -> tuple[float, int, int, int]:
    subs, dels, ins = edit_counts(reference, hypothesis)
    return (subs + dels + ins) / max(1, len(reference)), subs, dels, ins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--model", default="base")
    parser.add_argument("--windows", type=float, nargs="+", default=[0, 600, 300], help="window_s values; 0 = one pass")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="voices' rates and gaps; 1 and 2 give other recordings")
    parser.add_argument(
        "--audio", type=Path, help="a real recording instead (no known words: only 'vs first' is printed)"
    )
    args = parser.parse_args()

    from dialogic.audio import decode_audio
    from dialogic.options import TranscriptionOptions
    from dialogic.records import DecodedAudio
    from dialogic.transcribe import transcribe_audio

    if args.audio:
        audio, reference = decode_audio(args.audio), None
        minutes = audio.duration_s / 60
        print(f"{args.audio}: {minutes:.1f} min, no known words; model {args.model}, {args.threads} threads\n")
    else:
        work = Path(tempfile.mkdtemp(prefix="dialogic-asr-windows-"))
        samples, text = synthesise(args.minutes, work, args.seed)
        shutil.rmtree(work)
        audio = DecodedAudio(Path("synthesised.wav"), samples, RATE, "")
        reference = normalise(text)
        print(
            f"{audio.duration_s / 60:.1f} min synthesised by espeak-ng ({', '.join(VOICES)}) from "
            f"data/seed/utterances.jsonl (seed {args.seed}), {len(reference)} words; model {args.model}, "
            f"{args.threads} threads\n"
        )
    print(f"{'window_s':>8} {'WER':>6} {'subs':>5} {'dels':>5} {'ins':>5} {'vs first':>8} {'RTF':>6}")
    first = None
    for window_s in args.windows:
        options = TranscriptionOptions(model=args.model, language="en", cpu_threads=args.threads, window_s=window_s)
        started = time.perf_counter()
        words = normalise(" ".join(w.word for w in transcribe_audio(audio, options).words))
        elapsed = time.perf_counter() - started
        if reference is None:
            scored = f"{'-':>6} {'-':>5} {'-':>5} {'-':>5}"
        else:
            rate, subs, dels, ins = wer(reference, words)
            scored = f"{rate:6.3f} {subs:5d} {dels:5d} {ins:5d}"
        first = words if first is None else first
        print(f"{window_s:8g} {scored} {wer(first, words)[0]:8.3f} {elapsed / audio.duration_s:6.3f}")


if __name__ == "__main__":
    main()
