"""Benchmark: one batch on 1 and on 2 Dask workers, and the one writer's load rate, in one run.

    python benchmarks/bench_scale.py [--clips ../shared/data/ami-dev] [--workers 1 2] [--hours 10]
                                     [--synth-meetings 1000]

1. Scaling. The real AMI dev clips (eight 30 s meetings) are processed as one batch by
   `dialogic.pipeline.process_manifest` with a Dask engine on a local Dask cluster of 1 worker, then of 2 workers; every worker is
   one process with one thread and one core per meeting (``cpu_cores=1``: transcription, then
   diarisation). Each worker loads its models before the clock starts (that start-up is printed on
   its own: in a study of hour-long meetings it is paid once per worker). Printed: wall seconds of
   the batch, throughput (seconds of audio per wall second) and its ratio to 1 worker; then
   whether the databases end identical (`dialogic.db_content`: every table, less timestamps and
   run ids).
2. The writer. The sets the workers staged are kept aside, tiled into hour-long meetings (the
   clips' real rows repeated with shifted times: a synthetic hour, labelled as such), staged
   ``--hours`` times and stored one after another by the writer as a batch would (read and check
   the set, one transaction, facts refreshed): meetings per second into an empty database, and
   into one already holding ``--synth-meetings`` synthetic meetings (benchmarks/synth_db.py), since
   the writer's cost grows with what is stored.

The figures depend on the machine and on what else runs on it; run it on an otherwise idle one.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dialogic.audio import decode_audio  # noqa: E402
from dialogic.compute import load_models  # noqa: E402
from dialogic.dask_cluster import dask_executor  # noqa: E402
from dialogic.db import connect  # noqa: E402
from dialogic.db_content import content_differences  # noqa: E402
from dialogic.engines import Engine  # noqa: E402
from dialogic.keys import MeetingKey  # noqa: E402
from dialogic.manifest import Consent, MeetingSpec, Participant, load_manifest  # noqa: E402
from dialogic.options import PipelineOptions  # noqa: E402
from dialogic.pipeline import process_manifest, store_staged  # noqa: E402
from dialogic.records import (  # noqa: E402
    AttributedWord,
    AudioSummary,
    ComputedMeeting,
    Diarisation,
    SpeakerTurn,
    Utterance,
    Word,
)
from dialogic.staging import default_staging_dir, read_staged, stage_meeting  # noqa: E402
from dialogic.store.meetings import utterance_id  # noqa: E402

PARTICIPANTS = "[{id: p1, role: service_user}, {id: p2, role: network}, {id: p3, role: clinician}]"


def write_batch(clips: Path, folder: Path) -> tuple[Path, float]:
    """A manifest over every clip folder holding meeting.wav; returns it and the seconds of audio."""
    entries, audio_s = "", 0.0
    for clip in sorted(p for p in clips.iterdir() if (p / "meeting.wav").is_file()):
        shutil.copyfile(clip / "meeting.wav", folder / f"{clip.name}.wav")
        audio_s += decode_audio(folder / f"{clip.name}.wav").duration_s
        entries += f"""
  - id: {clip.name}
    audio: {clip.name}.wav
    consent: {{status: given, scope: [transcribe, analyse], reference: bench}}
    participants: {PARTICIPANTS}"""
    if not entries:
        sys.exit(f"{clips}: no <clip>/meeting.wav folders")
    (folder / "manifest.yaml").write_text("meetings:" + entries + "\n")
    return folder / "manifest.yaml", audio_s


class KeepStaged:
    """An executor that copies each staged set aside before the writer stores (and removes) it."""

    def __init__(self, executor, keep: Path) -> None:
        self.executor, self.keep = executor, keep

    def submit(self, fn, *args, **kwargs) -> concurrent.futures.Future:
        kept: concurrent.futures.Future = concurrent.futures.Future()

        def copy(done: concurrent.futures.Future) -> None:
            try:
                outcome = done.result()
                if isinstance(outcome, str):  # a staged set's folder (else the meeting failed)
                    shutil.copytree(outcome, self.keep / Path(outcome).name)
                kept.set_result(outcome)
            except BaseException as exc:
                kept.set_exception(exc)

        self.executor.submit(fn, *args, **kwargs).add_done_callback(copy)
        return kept


def cpu_s(children: bool = True) -> float:
    """CPU seconds (user + system) of this process and, with ``children``, its live children (a
    worker's transcription process)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True) if children else ():
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def run_batch(manifest: Path, db: Path, workers: int, options: PipelineOptions, keep: Path | None) -> dict:
    started = time.perf_counter()
    with dask_executor(workers=workers) as executor:
        executor.client.run(load_models, options)
        workers_cpu = sum(executor.client.run(cpu_s).values())
        writer_cpu = cpu_s(children=False)  # its children are the workers
        ready = time.perf_counter()
        engine = Engine(KeepStaged(executor, keep) if keep else executor, staging=default_staging_dir(db))
        report = process_manifest(db, load_manifest(manifest), options, engine=engine)
        done = time.perf_counter()
        workers_cpu = sum(executor.client.run(cpu_s).values()) - workers_cpu
        writer_cpu = cpu_s(children=False) - writer_cpu
    failed = [r for r in report.results if r.status != "processed"]
    if failed:
        sys.exit(f"benchmark batch: {[(r.meeting_id, r.status, r.reason) for r in failed]}")
    return {
        "start_s": ready - started,
        "batch_s": done - ready,
        "workers_cpu_s": workers_cpu,
        "writer_cpu_s": writer_cpu,
        "results": report.results,
    }


# --- the writer ---------------------------------------------------------------------------------


def tile_hour(clips: list[ComputedMeeting], meeting_id: str, hour_s: float = 3600.0) -> ComputedMeeting:
    """A synthetic hour-long meeting: the clips' computed rows one after another, times shifted."""
    words, utterances, turns, exclusive, roles, tag_tables = [], [], [], [], [], []
    embeddings: dict = {}
    offset = 0.0
    while offset < hour_s:
        for clip in clips:
            if offset >= hour_s:
                break
            base = len(utterances)
            shifted = {
                id(w.word): Word(w.word.start_s + offset, w.word.end_s + offset, w.word.word, w.word.probability)
                for w in clip.words
            }
            words += [AttributedWord(shifted[id(w.word)], w.speaker) for w in clip.words]
            for u in clip.utterances:
                utterances.append(
                    Utterance(
                        base + u.index,
                        u.speaker,
                        u.start_s + offset,
                        u.end_s + offset,
                        [shifted[id(w)] for w in u.words],
                    )
                )
            turns += [SpeakerTurn(t.speaker, t.start_s + offset, t.end_s + offset) for t in clip.diarisation.turns]
            exclusive += [
                SpeakerTurn(t.speaker, t.start_s + offset, t.end_s + offset) for t in clip.diarisation.exclusive_turns
            ]
            for speaker, vector in clip.diarisation.embeddings.items():
                embeddings.setdefault(speaker, vector)
            roles += clip.tag_roles or [None] * len(clip.utterances)
            rows = clip.tag_rows
            renamed = [
                utterance_id(meeting_id, base + int(old.rsplit("/u", 1)[1])) for old in rows["utterance_id"].to_pylist()
            ]
            tag_tables.append(rows.set_column(0, "utterance_id", pa.array(renamed, pa.string())))
            offset += clip.audio.duration_s
    speakers = sorted({t.speaker for t in turns})
    first = clips[0]
    return ComputedMeeting(
        meeting_id=meeting_id,
        processing_key=hashlib.sha256(f"synthetic {meeting_id}".encode()).hexdigest(),
        audio=AudioSummary(Path(f"{meeting_id}.wav"), hashlib.sha256(meeting_id.encode()).hexdigest(), offset),
        transcript=dataclasses.replace(first.transcript, words=[w.word for w in words]),
        diarisation=Diarisation(turns, exclusive, speakers, embeddings=embeddings),
        words=words,
        utterances=utterances,
        tagger=first.tagger,
        tag_rows=pa.concat_tables(tag_tables),
        tag_roles=roles,
    )


def load_rate(db: Path, hours: list[ComputedMeeting], staging: Path) -> tuple[float, int]:
    """Stage every hour, then store them one by one as the writer does; (meetings/s, rows each)."""
    folders = [stage_meeting(staging, c) for c in hours]
    con = connect(db)
    started = time.perf_counter()
    for computed, folder in zip(hours, folders):
        spec = MeetingSpec(
            computed.meeting_id,
            Path(f"{computed.meeting_id}.wav"),
            Consent("given", ("transcribe", "analyse"), "bench"),
            (Participant("p1", "service_user"), Participant("p2", "network"), Participant("p3", "clinician")),
        )
        key = MeetingKey(computed.processing_key, computed.audio.sha256, None, ())
        result = store_staged(con, spec, PipelineOptions(), key, folder)
        if result.status != "processed":
            sys.exit(f"writer benchmark: {result.meeting_id} {result.status}: {result.reason}")
    elapsed = time.perf_counter() - started
    con.close()
    c = hours[0]
    rows = len(c.words) + len(c.utterances) + len(c.diarisation.turns) + len(c.diarisation.exclusive_turns)
    return len(hours) / elapsed, rows + c.tag_rows.num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=ROOT.parent / "shared" / "data" / "ami-dev")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--hours", type=int, default=10, help="synthetic hour-long meetings the writer stores")
    parser.add_argument(
        "--synth-meetings",
        type=int,
        default=1000,
        help="meetings already in the database for the second writer figure (0: skip)",
    )
    args = parser.parse_args()
    options = dataclasses.replace(PipelineOptions(), cpu_cores=1)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        manifest, audio_s = write_batch(args.clips, tmp)
        keep = tmp / "kept"
        keep.mkdir()
        print(
            f"batch: {len(load_manifest(manifest).meetings)} meetings, {audio_s:.0f} s of audio; "
            f"{os.cpu_count()} cores; one thread and one core per worker",
            flush=True,
        )
        print(
            f"{'workers':>7} {'start-up s':>10} {'batch s':>8} {'audio s/s':>9} {'ratio':>6} "
            f"{'worker CPU s':>12} {'cores busy/worker':>17} {'writer CPU s':>12}"
        )
        runs = {}
        for workers in args.workers:
            runs[workers] = run_batch(
                manifest, tmp / f"w{workers}.duckdb", workers, options, keep if workers == max(args.workers) else None
            )
            r = runs[workers]
            ratio = runs[args.workers[0]]["batch_s"] / r["batch_s"]
            print(
                f"{workers:>7} {r['start_s']:>10.1f} {r['batch_s']:>8.1f} {audio_s / r['batch_s']:>9.2f} "
                f"{ratio:>5.2f}× {r['workers_cpu_s']:>12.1f} {r['workers_cpu_s'] / r['batch_s'] / workers:>17.2f} "
                f"{r['writer_cpu_s']:>12.1f}",
                flush=True,
            )
        dbs = [tmp / f"w{w}.duckdb" for w in args.workers]
        differences = [d for other in dbs[1:] for d in content_differences(dbs[0], other)]
        print(
            "databases identical (every table, less timestamps and run ids):",
            "yes" if not differences else "NO\n  " + "\n  ".join(differences),
        )

        clips = [
            read_staged(f, meeting_id=f.name.split(".")[0], processing_key=f.name.rsplit(".", 1)[1])
            for f in sorted(keep.iterdir())
        ]
        hours = [tile_hour(clips, f"hour-{i:03d}") for i in range(args.hours)]
        per_s, rows = load_rate(tmp / "writer.duckdb", hours, tmp / "writer-staging")
        print(
            f"\nwriter, synthetic hour-long meetings ({hours[0].audio.duration_s / 60:.0f} min, {rows} rows each: "
            f"{len(hours[0].words)} words, {len(hours[0].utterances)} utterances, tags, turns):"
        )
        print(f"  into an empty database: {per_s:.2f} meetings/s ({1 / per_s:.2f} s each)")
        if args.synth_meetings:
            synth = tmp / "synth.duckdb"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "synth_db.py"),
                    "--meetings",
                    str(args.synth_meetings),
                    "--out",
                    str(synth),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            later = [tile_hour(clips, f"hour-late-{i:03d}") for i in range(args.hours)]
            per_s_full, _ = load_rate(synth, later, tmp / "synth-staging")
            print(
                f"  into a database holding {args.synth_meetings} synthetic meetings: {per_s_full:.2f} meetings/s "
                f"({1 / per_s_full:.2f} s each)"
            )
        print(
            "\nworker CPU s: CPU time of the workers and their transcription processes during the batch; "
            "cores busy/worker: that over the batch's wall time and the number of workers (1.00: each worker "
            "kept its core busy; less: it waited, e.g. for a core that other work on the machine held)."
        )


if __name__ == "__main__":
    main()
