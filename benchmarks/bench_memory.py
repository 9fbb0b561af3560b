"""Benchmark: peak memory and wall time of one long meeting, stage by stage, at several lengths.

    python benchmarks/bench_memory.py [--minutes 30 60 120] [--workdir /tmp/dialogic-bench-memory]
                                      [--interval-s 0.1] [--no-tag] [--keep]

For each length a meeting is built from real speech: the eight 30 s AMI dev clips in
../shared/data/ami-dev and the two-speaker sample bundled with pyannote.audio, in a seeded
shuffled order, each cycle with fresh gaps of 0.3–2 s of faint noise between clips, written as
16-bit 16 kHz WAV under --workdir. Each meeting is processed by the real pipeline
(`dialogic.pipeline.process_manifest`, default models, English, six participants so diarisation
gets ``max_speakers=6``) in a fresh Python process. This process samples, every --interval-s, the
resident set size (RSS) of that process ("main") and of its children (the ASR worker), and reads
which stage the pipeline is in from its progress hook (written to an events file with the shared
monotonic clock).

Printed per length: for each stage (and diarisation's steps), its wall seconds and the peak RSS of
the main process, of the worker, and of both together (their sum at the same sampling instant —
the memory the machine must have). Then one summary row per length, the growth per extra 30
minutes, and the wall-time ratio of the longest to the next length (2.0 for 60 → 120 when time is
linear in length).

The RSS figures count shared library pages in each process (the sum slightly over-counts what two
processes sharing e.g. libgomp need). Samples every 0.1 s can miss a spike shorter than that.
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AMI_DEV = ROOT.parent / "shared" / "data" / "ami-dev"
SAMPLE_RATE = 16000
PARTICIPANTS = 6
START = "start (imports)"

# pyannote calls its hook with completed=None when a step has finished; what runs next in
# SpeakerDiarization.apply (pyannote.audio 4) is named here.
AFTER_STEP = {
    "segmentation": "diarise: speaker counting",
    "speaker_counting": "diarise: embeddings",
    "embeddings": "diarise: clustering",
    "discrete_diarization": "diarise: exclusive turns",
}


# --- the long recording -------------------------------------------------------------------------


def speech_clips(folder: Path = AMI_DEV) -> list[np.ndarray]:
    """The real speech the meetings are built from: AMI dev clips and pyannote's sample (16 kHz float32)."""
    from dialogic.audio import decode_audio

    paths = sorted(folder.glob("*/meeting.wav"))
    if not paths:
        sys.exit(f"no AMI dev clips under {folder} (expected */meeting.wav)")
    paths.append(Path(str(importlib.resources.files("pyannote.audio") / "sample" / "sample.wav")))
    return [decode_audio(p).samples for p in paths]


def build_meeting(minutes: float, path: Path, clips: list[np.ndarray], seed: int = 0) -> float:
    """Write a ``minutes``-long 16-bit WAV of the clips in shuffled cycles with noise gaps; returns seconds."""
    rng = np.random.default_rng(seed)
    target = int(minutes * 60 * SAMPLE_RATE)
    written = 0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        while written < target:
            for index in rng.permutation(len(clips)):
                gap = rng.normal(0, 10 ** (-60 / 20), int(rng.uniform(0.3, 2.0) * SAMPLE_RATE)).astype(np.float32)
                piece = np.concatenate([clips[index], gap])[: target - written]
                out.writeframes((np.clip(piece, -1, 1) * 32767).astype("<i2").tobytes())
                written += len(piece)
                if written >= target:
                    break
    return written / SAMPLE_RATE


# --- the measured process -----------------------------------------------------------------------


def run_child(manifest: Path, db: Path, events: Path, tag: bool) -> None:
    """Process the manifest, writing ``monotonic_s<TAB>label`` lines as the pipeline moves on."""
    out = events.open("a", buffering=1)
    current = [None]

    def mark(label: str) -> None:
        if label != current[0]:
            current[0] = label
            out.write(f"{time.monotonic():.3f}\t{label}\n")

    def on_progress(meeting_id: str, stage: str, *, completed=None, total=None) -> None:
        if stage == "transcribe":  # runs in the worker, beside diarisation
            if completed is not None and total and completed >= total:
                out.write(f"{time.monotonic():.3f}\tasr done\n")
            return
        if stage == "diarise" and completed is not None:
            mark("wait for transcription")  # diarisation done; the worker may still be transcribing
        elif stage.startswith("diarise "):
            step = stage.removeprefix("diarise ")
            mark(f"diarise: {step}" if completed is not None else AFTER_STEP.get(step, f"diarise: after {step}"))
        else:
            mark("diarise: segmentation" if stage == "diarise" else stage)

    import dialogic  # noqa: F401  (privacy defaults)
    from dialogic.manifest import load_manifest
    from dialogic.options import PipelineOptions, TranscriptionOptions
    from dialogic.pipeline import process_manifest

    options = PipelineOptions(transcription=TranscriptionOptions(language="en"), tag=tag)
    mark("pipeline")
    report = process_manifest(db, load_manifest(manifest, allow_outside=True), options, progress=on_progress)
    mark("exit")
    result = report.results[0]
    out.write(json.dumps({"status": result.status, "reason": result.reason, "timings_s": result.timings_s}) + "\n")
    if result.status != "processed":
        sys.exit(f"{manifest}: {result.status}: {result.reason}")


# --- sampling -----------------------------------------------------------------------------------


@dataclass
class Sample:
    t: float
    main_b: int
    worker_b: int


@dataclass
class Measured:
    minutes: float
    audio_s: float
    samples: list[Sample] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    asr_done_t: float | None = None
    started_t: float = 0.0
    ended_t: float = 0.0
    cpu_s: float = 0.0  # user + system seconds of the run's process and its worker
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average as it started and ended
    result: dict = field(default_factory=dict)


def sample_process(pid: int, interval_s: float, samples: list[Sample], stop: threading.Event) -> None:
    """RSS of ``pid`` and of all its descendants, every ``interval_s``, until it ends or ``stop``."""
    import psutil

    try:
        main = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    children, listed_t = [], 0.0
    while not stop.is_set():
        try:
            t = time.monotonic()
            if t - listed_t > 1.0:  # listing processes reads all of /proc: once a second is enough
                children, listed_t = main.children(recursive=True), t
            main_b = main.memory_info().rss
            worker_b = 0
            for child in children:
                try:
                    worker_b += child.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            return
        samples.append(Sample(t, main_b, worker_b))
        time.sleep(interval_s)


def measure(minutes: float, workdir: Path, clips, interval_s: float, tag: bool) -> Measured:
    audio = workdir / f"meeting-{minutes:g}min.wav"
    audio_s = build_meeting(minutes, audio, clips)
    manifest = workdir / f"manifest-{minutes:g}min.yaml"
    participants = ", ".join(f"{{id: p{i}, role: {'service_user' if i == 1 else 'network'}}}" for i in range(1, 7))
    manifest.write_text(
        textwrap.dedent(f"""\
        meetings:
          - id: long{minutes:g}
            audio: {audio}
            consent: {{status: given, scope: [transcribe, analyse]}}
            participants: [{participants}]
        """)
    )
    db = workdir / f"long-{minutes:g}min.duckdb"
    events = workdir / f"events-{minutes:g}min.tsv"
    for stale in (db, events, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    measured = Measured(minutes, audio_s)
    print(f"running: {minutes:g} min ...", file=sys.stderr, flush=True)
    stop = threading.Event()
    measured.started_t = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_start = os.getloadavg()[0]
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(manifest), str(db), str(events)] + ([] if tag else ["--no-tag"])
    )
    sampler = threading.Thread(target=sample_process, args=(child.pid, interval_s, measured.samples, stop))
    sampler.start()
    code = child.wait()
    measured.ended_t = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker too: the run's process waits for it at exit
    measured.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    measured.load = (load_start, os.getloadavg()[0])
    stop.set()
    sampler.join()
    if code != 0:
        sys.exit(f"the {minutes:g} min run failed (exit {code}); events in {events}")
    for line in events.read_text().splitlines():
        if line.startswith("{"):
            measured.result = json.loads(line)
            continue
        t, label = line.split("\t")
        if label == "asr done":
            measured.asr_done_t = float(t)
        else:
            measured.events.append((float(t), label))
    print(f"  {measured.ended_t - measured.started_t:.0f} s", file=sys.stderr, flush=True)
    return measured


# --- the tables ---------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    wall_s: float = 0.0
    main_b: int = 0
    worker_b: int = 0
    both_b: int = 0


def phases(m: Measured) -> list[Phase]:
    """Wall time and peak RSS of each labelled stretch of the run, in order of first appearance."""
    bounds = [(m.started_t, START), *m.events, (m.ended_t, "end")]
    found: dict[str, Phase] = {}
    for (start, label), (end, _) in zip(bounds, bounds[1:]):
        phase = found.setdefault(label, Phase(label))
        phase.wall_s += end - start
        for s in m.samples:
            if start <= s.t < end:
                phase.main_b = max(phase.main_b, s.main_b)
                phase.worker_b = max(phase.worker_b, s.worker_b)
                phase.both_b = max(phase.both_b, s.main_b + s.worker_b)
    found.pop("pipeline", None)  # the moment imports end and the first stage begins
    return list(found.values())


def mb(b: int) -> str:
    return f"{b / 1e6:,.0f}"


def print_length(m: Measured) -> None:
    print(f"\n{m.minutes:g} min meeting ({m.audio_s:.0f} s of audio)")
    print(f"  {'stage':<30} {'wall_s':>8} {'main MB':>9} {'worker MB':>10} {'both MB':>9}")
    for p in phases(m):
        if not p.both_b:  # shorter than one sampling interval
            print(f"  {p.label:<30} {p.wall_s:8.1f} {'-':>9} {'-':>10} {'-':>9}")
            continue
        print(f"  {p.label:<30} {p.wall_s:8.1f} {mb(p.main_b):>9} {mb(p.worker_b):>10} {mb(p.both_b):>9}")
    timings = m.result.get("timings_s", {})
    extra = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
    print(f"  pipeline timings (s): {extra}")


def summary(results: list[Measured]) -> None:
    print("\nsummary (peak RSS in GB = 10^9 bytes; both = the two processes' sum at one instant)")
    columns = ("minutes", 7), ("wall_s", 8), ("RTF", 6), ("cpu_s", 8), ("load", 9), ("main GB", 8), ("worker GB", 10)
    print("  " + " ".join(f"{name:>{width}}" for name, width in columns) + f" {'both GB':>8}")
    rows = []
    for m in results:
        wall = m.ended_t - m.started_t
        main = max((s.main_b for s in m.samples), default=0)
        worker = max((s.worker_b for s in m.samples), default=0)
        both = max((s.main_b + s.worker_b for s in m.samples), default=0)
        rows.append((m.minutes, wall, m.cpu_s, both))
        load = f"{m.load[0]:.1f}→{m.load[1]:.1f}"
        print(
            f"  {m.minutes:7g} {wall:8.1f} {wall / m.audio_s:6.3f} {m.cpu_s:8.0f} {load:>9} "
            f"{main / 1e9:8.2f} {worker / 1e9:10.2f} {both / 1e9:8.2f}"
        )
    for (m0, w0, c0, b0), (m1, w1, c1, b1) in zip(rows, rows[1:]):
        if m1 == m0:
            continue
        growth = (b1 - b0) / 1e9 / ((m1 - m0) / 30)
        print(
            f"  {m0:g} → {m1:g} min (length ×{m1 / m0:.2f}): wall ×{w1 / w0:.2f}, cpu ×{c1 / c0:.2f}; "
            f"both-process peak grows {growth:.2f} GB per 30 min"
        )
    print(
        "  (wall time moves with the load from other work on shared cores; cpu seconds much less so, "
        "which makes them the better test of time linear in length)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[30, 60, 120], help="meeting lengths to run")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dialogic-bench-memory"))
    parser.add_argument("--interval-s", type=float, default=0.1, help="RSS sampling interval")
    parser.add_argument("--clips", type=Path, default=AMI_DEV, help="folder of */meeting.wav speech clips")
    parser.add_argument("--no-tag", action="store_true", help="leave the tagging stage out")
    parser.add_argument("--keep", action="store_true", help="keep the audio and databases in --workdir")
    parser.add_argument("--child", nargs=3, metavar=("MANIFEST", "DB", "EVENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*map(Path, args.child), tag=not args.no_tag)
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    clips = speech_clips(args.clips)
    results = [measure(minutes, args.workdir, clips, args.interval_s, not args.no_tag) for minutes in args.minutes]
    print(f"\n{os.cpu_count()} cores, shared with other work (load: 1-minute load average at start → end of a run)")
    for m in results:
        print_length(m)
    summary(results)
    if not args.keep:
        for m in results:
            for name in (f"meeting-{m.minutes:g}min.wav", f"long-{m.minutes:g}min.duckdb"):
                (args.workdir / name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
