"""Benchmark: bare faster-whisper, bare diarisation and the full `dialogic process`, in one run.

    python benchmarks/bench_pipeline.py [--minutes 10] [--audio PATH] [--rounds 1] [--also "--asr-beam-size 5"]

Each measurement is a fresh Python process timed from start to exit (imports and model loading
included), on the same audio: by default the bundled 30 s two-speaker sample repeated to
--minutes. Printed: wall seconds, real-time factor (seconds of compute per second of audio), and
the ratio full / (bare ASR + bare diarisation), and the tagger's share of the full run's wall time
(from its run record's stage timings). "Bare diarisation" is dialogic's offline pyannote
pipeline called directly, so the ratio is what dialogic adds around the two libraries: decoding,
alignment, utterances, DuckDB writes, tagging and the CLI. For reference it also times pyannote's
stock per-chunk embedding (batched, and unbatched as a naive pipeline would) on a 2-minute excerpt.

On a shared machine the load moves the absolute times by ±20 % and more from one minute to the
next, so with ``--rounds N`` the steps run N times in turn (bare ASR, bare diarisation, full, ...,
then again), and the ratios printed are medians of the ratios within each round. ``--also ARGS``
adds a full run with those extra `dialogic process` arguments to every round (e.g. the previous
decoding default), so that it is compared in the same run.
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

BARE_ASR = """
import sys
from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio
from dialogic.transcribe import OFFLINE_ASR_MODELS
from dialogic.weights import require_weights
model = WhisperModel(str(require_weights(OFFLINE_ASR_MODELS[sys.argv[2]])), device="cpu", compute_type="int8")
segments, _ = model.transcribe(decode_audio(sys.argv[1], sampling_rate=16000), language="en", beam_size=5,
                               vad_filter=True, word_timestamps=True, condition_on_previous_text=False)
print(sum(len(s.words) for s in segments), "words")
"""

BARE_DIARISATION = """
import sys, torch
from faster_whisper.audio import decode_audio
from dialogic.diarisation.diarise import load_diarisation_pipeline
from dialogic.options import DiarisationOptions
mode, batch = sys.argv[2], int(sys.argv[3])
pipeline, _ = load_diarisation_pipeline(DiarisationOptions(embedding_mode=mode, embedding_batch_size=batch, segmentation_batch_size=batch))
samples = torch.from_numpy(decode_audio(sys.argv[1], sampling_rate=16000))
output = pipeline({"waveform": samples[None], "sample_rate": 16000}, max_speakers=2)
print(len(output.speaker_diarization.labels()), "speakers")
"""


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def timed(command: list[str], label: str) -> float:
    print(f"running: {label} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    print(f"  {elapsed:.1f} s", file=sys.stderr, flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the tiled sample (ignored with --audio)")
    parser.add_argument("--audio", type=Path, help="benchmark this recording instead")
    parser.add_argument("--skip-reference", action="store_true", help="skip pyannote's stock per-chunk timings")
    parser.add_argument("--no-tag", action="store_true", help="leave the tagging stage out of the full run")
    parser.add_argument("--asr-model", default=None, help="offline ASR model to time (default: dialogic's default)")
    parser.add_argument(
        "--no-bare-diarisation", action="store_true", help="leave out bare diarisation (not in the full / ASR ratio)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="run every step this many times, in turn")
    parser.add_argument(
        "--also", action="append", default=[], metavar="ARGS", help="a further full run with these extra arguments"
    )
    args = parser.parse_args()

    import dialogic  # noqa: F401
    from dialogic.audio import decode_audio
    from dialogic.options import TranscriptionOptions

    asr_model = args.asr_model or TranscriptionOptions().model

    work = Path(tempfile.mkdtemp(prefix="dialogic-bench-"))
    if args.audio:
        audio_path = args.audio.resolve()
    else:
        sample = decode_audio(Path(str(importlib.resources.files("pyannote.audio") / "sample" / "sample.wav"))).samples
        repeats = max(1, round(args.minutes * 60 / (len(sample) / 16000)))
        audio_path = work / "bench.wav"
        write_wav(audio_path, np.tile(sample, repeats))
    duration_s = len(decode_audio(audio_path).samples) / 16000
    (work / "manifest.yaml").write_text(
        textwrap.dedent(f"""\
        meetings:
          - id: bench
            audio: {audio_path}
            consent: {{status: given, scope: [transcribe, analyse]}}
            participants: [{{id: p1, role: service_user}}, {{id: p2, role: peer}}]
        """)
    )
    python = sys.executable
    dialogic_cli = str(Path(python).with_name("dialogic"))
    env_note = f"torch threads {os.environ.get('OMP_NUM_THREADS', 'default')}, {os.cpu_count()} cores"

    full_command = [
        dialogic_cli,
        "process",
        str(work / "manifest.yaml"),
        "--allow-outside",
        "--asr-model",
        asr_model,
        "--language",
        "en",
    ] + (["--no-tag"] if args.no_tag else [])
    full_label = "dialogic process (all stages" + (")" if args.no_tag else " + tagging)")
    arms = [("", [])] + [(extra, shlex.split(extra)) for extra in args.also]
    times: dict[str, list[float]] = {}
    stage_s: dict[str, float] = {}
    for round_ in range(args.rounds):
        note = f" (round {round_ + 1} of {args.rounds})" if args.rounds > 1 else ""
        times.setdefault("asr", []).append(
            timed([python, "-c", BARE_ASR, str(audio_path), asr_model], "bare ASR" + note)
        )
        if not args.no_bare_diarisation:
            times.setdefault("diar", []).append(
                timed([python, "-c", BARE_DIARISATION, str(audio_path), "file", "32"], "bare diarisation" + note)
            )
        for k, (extra, extra_args) in enumerate(arms):
            db = work / f"bench-{round_}-{k}.duckdb"
            label = full_label + (f" {extra}" if extra else "")
            times.setdefault(label, []).append(timed(full_command + ["--db", str(db)] + extra_args, label + note))
            if not extra:
                stage_s = stage_timings(db)
    full_s = statistics.median(times[full_label])
    rows = [(f"bare faster-whisper {asr_model} (int8, beam 5)", statistics.median(times["asr"]), duration_s)]
    if "diar" in times:
        rows.append(("bare diarisation (offline pipeline)", statistics.median(times["diar"]), duration_s))
    rows += [(label, statistics.median(times[label]), duration_s) for label in times if label not in ("asr", "diar")]

    if not args.skip_reference:
        excerpt = work / "excerpt.wav"
        samples = decode_audio(audio_path).samples[: 120 * 16000]
        write_wav(excerpt, samples)
        excerpt_s = len(samples) / 16000
        rows.append(
            (
                "reference: pyannote per-chunk CAM++, batch 32",
                timed([python, "-c", BARE_DIARISATION, str(excerpt), "chunk", "32"], "per-chunk reference"),
                excerpt_s,
            )
        )
        rows.append(
            (
                "reference: naive unbatched (batch 1)",
                timed([python, "-c", BARE_DIARISATION, str(excerpt), "chunk", "1"], "naive reference"),
                excerpt_s,
            )
        )

    print(
        f"\naudio: {audio_path.name}, {duration_s / 60:.1f} min; {env_note}; each row a fresh process, imports and model loading included\n"
    )
    print(f"{'step':<46} {'audio_s':>8} {'wall_s':>8} {'RTF':>7}")
    for name, seconds, audio_s in rows:
        print(f"{name:<46} {audio_s:8.1f} {seconds:8.1f} {seconds / audio_s:7.3f}")

    def ratio(label: str, against: str) -> float:  # median over rounds of the ratio within each round
        return statistics.median(a / b for a, b in zip(times[label], times[against], strict=True))

    rounds = f"; median of {args.rounds} rounds" if args.rounds > 1 else ""
    print()
    if "diar" in times:
        both = statistics.median(
            f / (a + d) for f, a, d in zip(times[full_label], times["asr"], times["diar"], strict=True)
        )
        print(f"ratio full / (bare ASR + bare diarisation) = {both:.3f}   (target ≤ 1.10{rounds})")
        diar_s = statistics.median(times["diar"])
        print(f"diarisation real-time factor            = {diar_s / duration_s:.3f}   (target ≤ 0.25)")
    for label in times:
        if label not in ("asr", "diar"):
            print(f"ratio {label} / bare ASR = {ratio(label, 'asr'):.3f}   (target ≤ 0.80{rounds})")
    if not args.no_tag:
        tag_s = stage_s.get("tag", 0.0)
        print(
            f"tagger's share of the full run           = {100 * tag_s / full_s:.1f} %   (target ≤ 5 %; "
            f"{tag_s:.1f} s of {full_s:.1f} s, loading the tagger included)"
        )
    print("full run's stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stage_s.items()))


def stage_timings(db_path: Path) -> dict[str, float]:
    """The seconds of each stage of the benchmark meeting's run, as its run record holds them."""
    import json

    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (timings,) = con.execute("select timings_s from pipeline_runs where status = 'processed'").fetchone()
    finally:
        con.close()
    return json.loads(timings) if isinstance(timings, str) else dict(timings)


if __name__ == "__main__":
    main()
