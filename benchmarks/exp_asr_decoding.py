"""Word error rate and speed of faster-whisper's decoding choices, on every evaluation set at once.

    python benchmarks/exp_asr_decoding.py [--arms beam5 greedy batched-beam5 batched-greedy beam5-no-word-times]
        [--minutes 10] [--threads 1] [--rounds 2] [--ami DIR]

Arms (all at temperature 0, language en, Silero VAD on, 300 s windows, as dialogic decodes):
``beam5`` (the default), ``greedy`` (beam 1), ``batched-beam5`` and ``batched-greedy``
(`TranscriptionOptions.batch_size` 8: faster-whisper's ``BatchedInferencePipeline``), and
``beam5-no-word-times`` (beam 5 without word timestamps: what the cross-attention alignment that
gives each word its time costs; the pipeline cannot do without word times).

Sets: the 51 codebook examples spoken by espeak-ng (``eval_asr.py``'s set, known words), a
``--minutes`` recording synthesised from data/seed/utterances.jsonl (``eval_asr_windows.py``'s,
seed 0, known words), and, with ``--ami``, the real AMI dev clips, which have no word references:
on them an arm's transcript is compared with the first arm's (edits per first-arm word).

Speed: each round runs every arm once over the long recording and the AMI clips, arms in turn
(A B C A B C), models loaded before the clock starts, so that the machine's load falls on every
arm alike; printed is each arm's seconds against the first arm's in the same round (median over
rounds). Absolute real-time factors move with the load of a shared machine; the ratios are the
figures to read. WER does not depend on the load; it is checked equal in every round.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_asr import edit_counts, normalise, synthesised  # noqa: E402  (sibling scripts)
from eval_asr_windows import synthesise  # noqa: E402

import dialogic  # noqa: E402, F401  (privacy defaults)
from dialogic.asr_windows import read_array, window_bounds  # noqa: E402
from dialogic.audio import decode_audio  # noqa: E402
from dialogic.options import TranscriptionOptions  # noqa: E402
from dialogic.records import DecodedAudio  # noqa: E402
from dialogic.transcribe import ASR_DECODING, load_whisper, resolve_asr_model, transcribe_audio  # noqa: E402

ARMS = {
    "beam5": {},
    "greedy": {"beam_size": 1},
    "batched-beam5": {"batch_size": 8},
    "batched-greedy": {"beam_size": 1, "batch_size": 8},
    "beam5-no-word-times": {},
}


def words_of(arm: str, audio: DecodedAudio, options: TranscriptionOptions) -> list[str]:
    if arm != "beam5-no-word-times":
        return normalise(" ".join(w.word for w in transcribe_audio(audio, options).words))
    model = load_whisper(resolve_asr_model(options.model)[0], options.device, options.compute_type, options.cpu_threads)
    read, text = read_array(audio.samples), []
    for start, stop in window_bounds(read, len(audio.samples), audio.sample_rate, window_s=options.window_s):
        decoding = {**ASR_DECODING, "word_timestamps": False}
        segments, _ = model.transcribe(read(start, stop), language="en", beam_size=5, vad_filter=True, **decoding)
        text += [s.text for s in segments]
    return normalise(" ".join(text))


def score(references: list[list[str]], hypotheses: list[list[str]]) -> tuple[float, int]:
    errors = words = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        errors += sum(edit_counts(reference, hypothesis))
        words += len(reference)
    return errors / max(1, words), words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1, help="CTranslate2 threads (the pipeline's on 2 cores: 1)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", default="base")
    parser.add_argument("--skip-codebook", action="store_true", help="leave out the codebook examples")
    parser.add_argument("--ami", type=Path, help="folder of AMI dev clips (trnNN/meeting.wav)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dialogic-asr-decoding-"))
    codebook = [] if args.skip_codebook else [(decode_audio(p), normalise(t)) for p, t in synthesised(work)]
    samples, text = synthesise(args.minutes, work, seed=0)
    shutil.rmtree(work)
    long = DecodedAudio(Path("synthesised.wav"), samples, 16000, "")
    long_reference = normalise(text)
    ami = [decode_audio(p) for p in sorted(args.ami.glob("*/meeting.wav"))] if args.ami else []
    base = TranscriptionOptions(model=args.model, language="en", cpu_threads=args.threads)
    options = {arm: dataclasses.replace(base, **ARMS[arm]) for arm in args.arms}
    transcribe_audio(DecodedAudio(Path("warm-up.wav"), samples[: 16000 * 5], 16000, ""), base)  # load the model

    wer_codebook, wer_long, ami_words, seconds = {}, {}, {}, {arm: [] for arm in args.arms}
    for arm in args.arms if codebook else []:  # the short clips once: WER only
        wer_codebook[arm] = score([r for _, r in codebook], [words_of(arm, a, options[arm]) for a, _ in codebook])
        print(f"{arm}: codebook WER {wer_codebook[arm][0]:.3f}", file=sys.stderr, flush=True)
    for round_ in range(args.rounds):
        for arm in args.arms:
            started = time.perf_counter()
            long_words = words_of(arm, long, options[arm])
            clips = [words_of(arm, a, options[arm]) for a in ami]
            seconds[arm].append(time.perf_counter() - started)
            found = (score([long_reference], [long_words]), clips)
            if round_ and found != (wer_long[arm], ami_words[arm]):
                sys.exit(f"{arm}: round {round_ + 1} gave other words than round 1")
            wer_long[arm], ami_words[arm] = found
            print(
                f"round {round_ + 1} {arm}: {seconds[arm][-1]:.1f} s, long WER {found[0][0]:.3f}, "
                f"AMI words {sum(map(len, clips))}",
                file=sys.stderr,
                flush=True,
            )

    audio_s = long.duration_s + sum(a.duration_s for a in ami)
    first = args.arms[0]
    print(
        f"\n{args.model}, {args.threads} CTranslate2 thread(s), {args.rounds} rounds interleaved; timed: "
        f"{long.duration_s / 60:.1f} min synthesised + {len(ami)} AMI clips = {audio_s:.0f} s of audio\n"
    )
    print(
        f"{'arm':<20} {'WER codebook':>12} {'WER long':>9} {'AMI vs ' + first:>14} {'AMI words':>9} "
        f"{'time / ' + first:>14} {'RTF':>6}"
    )
    for arm in args.arms:
        ratio = statistics.median(a / b for a, b in zip(seconds[arm], seconds[first], strict=True))
        against = score(ami_words[first], ami_words[arm])[0] if ami else float("nan")
        print(
            f"{arm:<20} {wer_codebook.get(arm, (float('nan'),))[0]:12.3f} {wer_long[arm][0]:9.3f} {against:14.3f} "
            f"{sum(map(len, ami_words[arm])):9d} {ratio:14.2f} {statistics.median(seconds[arm]) / audio_s:6.3f}"
        )
    codebook_words = wer_codebook[first][1] if codebook else 0
    print(f"\nreference words: codebook {codebook_words}, long {wer_long[first][1]}")


if __name__ == "__main__":
    main()
