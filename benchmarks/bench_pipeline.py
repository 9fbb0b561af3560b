"""Benchmark: bare faster-whisper, bare diarisation and the full `dialogic process`, in one run.

    python benchmarks/bench_pipeline.py [--minutes 10] [--audio PATH]

Each measurement is a fresh Python process timed from start to exit (imports and model loading
included), on the same audio: by default the bundled 30 s two-speaker sample repeated to
--minutes. Printed: wall seconds, real-time factor (seconds of compute per second of audio), and
the ratio full / (bare ASR + bare diarisation), and the tagger's share of the full run's wall time
(from its run record's stage timings). "Bare diarisation" is dialogic's offline pyannote
pipeline called directly, so the ratio is what dialogic adds around the two libraries: decoding,
alignment, utterances, DuckDB writes, tagging and the CLI. For reference it also times pyannote's
stock per-chunk embedding (batched, and unbatched as a naive pipeline would) on a 2-minute excerpt.
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
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

    rows = []
    asr_s = timed([python, "-c", BARE_ASR, str(audio_path), asr_model], "bare ASR")
    rows.append((f"bare faster-whisper {asr_model} (int8)", asr_s, duration_s))
    diar_s = timed([python, "-c", BARE_DIARISATION, str(audio_path), "file", "32"], "bare diarisation")
    rows.append(("bare diarisation (offline pipeline)", diar_s, duration_s))
    full_s = timed(
        [
            dialogic_cli,
            "process",
            str(work / "manifest.yaml"),
            "--db",
            str(work / "bench.duckdb"),
            "--allow-outside",
            "--asr-model",
            asr_model,
            "--language",
            "en",
        ]
        + (["--no-tag"] if args.no_tag else []),
        "dialogic process",
    )
    rows.append(("dialogic process (all stages" + (")" if args.no_tag else " + tagging)"), full_s, duration_s))
    stage_s = stage_timings(work / "bench.duckdb")

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
    ratio = full_s / (asr_s + diar_s)
    print(f"\nratio full / (bare ASR + bare diarisation) = {ratio:.3f}   (target ≤ 1.10)")
    print(f"diarisation real-time factor            = {diar_s / duration_s:.3f}   (target ≤ 0.25)")
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
