"""Check a GPU machine: one meeting through a Dask worker with ``--device cuda``, and proof that the
GPU did the work.

    python benchmarks/check_gpu.py [--audio PATH] [--keep DIR]

Runs the batch path (`dialogic.pipeline.process_manifest` on one local Dask worker, the writer in this process)
on one recording — by default the 30 s two-speaker sample bundled with pyannote.audio — with
faster-whisper in float16 on CUDA and the pyannote pipeline moved to CUDA. Then it asks the worker
what its cached models run on and how much GPU memory it used, and the database what the run
recorded. Exit status 0 only if the meeting was processed and both models ran on CUDA; 2 when this
machine has no usable CUDA device (nothing is run then). The tagger runs on CPU in every case.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.resources
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import dialogic  # noqa: E402,F401  (privacy defaults before any model library loads)


def cuda_problem() -> str | None:
    """Why CUDA cannot be used here, or None when both PyTorch and CTranslate2 see a device."""
    import ctranslate2
    import torch

    if not torch.cuda.is_available():
        return f"PyTorch {torch.__version__} sees no CUDA device (torch.cuda.is_available() is False)"
    if ctranslate2.get_cuda_device_count() < 1:
        return f"CTranslate2 {ctranslate2.__version__} sees no CUDA device (a CPU-only build, or no driver)"
    return None


def torch_devices(pipeline) -> list[str]:
    """The devices of every PyTorch parameter reachable from a pyannote pipeline (its segmentation
    and CAM++ embedding models, wherever pyannote keeps them)."""
    import torch

    found, seen = set(), set()

    def visit(obj, depth: int) -> None:
        if id(obj) in seen or depth > 4:
            return
        seen.add(id(obj))
        if isinstance(obj, torch.nn.Module):
            found.update(str(p.device) for p in obj.parameters())
            return
        values = obj.values() if isinstance(obj, dict) else getattr(obj, "__dict__", {}).values()
        for value in list(values):
            visit(value, depth + 1)

    visit(pipeline, 0)
    return sorted(found)


def worker_devices(options) -> dict:
    """On the worker: the devices of the models it cached for ``options``, and its GPU memory use."""
    import torch

    from dialogic.diarisation.diarise import load_diarisation_pipeline
    from dialogic.transcribe import load_whisper, resolve_asr_model

    t = options.transcription
    loads_before = load_diarisation_pipeline.cache_info().misses
    pipeline, _ = load_diarisation_pipeline(options.diarisation)  # the cached one: a hit
    whisper = load_whisper(resolve_asr_model(t.model)[0], t.device, t.compute_type, t.cpu_threads)
    return {
        "diarisation_device": str(getattr(pipeline, "device", "unknown")),
        "diarisation_parameter_devices": torch_devices(pipeline),
        "diarisation_loaded_again": load_diarisation_pipeline.cache_info().misses != loads_before,
        "whisper_device": str(whisper.model.device),
        "whisper_compute_type": str(whisper.model.compute_type),
        "gpu_memory_peak_mib": torch.cuda.max_memory_allocated() / 2**20,
        "gpu_name": torch.cuda.get_device_name(0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=Path, help="a recording to use instead of the bundled sample")
    parser.add_argument("--keep", type=Path, help="keep the manifest and database in this folder")
    args = parser.parse_args()
    problem = cuda_problem()
    if problem:
        print(f"check_gpu: no usable GPU on this machine: {problem}. Nothing was run.", file=sys.stderr)
        return 2

    from dialogic.dask_cluster import dask_executor
    from dialogic.db import connect
    from dialogic.engines import Engine
    from dialogic.manifest import load_manifest
    from dialogic.options import DiarisationOptions, PipelineOptions, TranscriptionOptions
    from dialogic.pipeline import process_manifest
    from dialogic.staging import default_staging_dir

    folder = args.keep or Path(tempfile.mkdtemp(prefix="check-gpu-"))
    folder.mkdir(parents=True, exist_ok=True)
    audio = args.audio or Path(str(importlib.resources.files("pyannote.audio") / "sample" / "sample.wav"))
    shutil.copyfile(audio, folder / f"meeting{audio.suffix}")
    (folder / "manifest.yaml").write_text(f"""meetings:
  - id: gpu-check
    audio: meeting{audio.suffix}
    consent: {{status: given, scope: [transcribe, analyse], reference: check_gpu}}
    participants: [{{id: p1, role: service_user}}, {{id: p2, role: clinician}}]
""")
    options = dataclasses.replace(
        PipelineOptions(),
        transcription=TranscriptionOptions(device="cuda", compute_type="float16"),
        diarisation=DiarisationOptions(device="cuda"),
    )
    db = folder / "gpu.duckdb"
    started = time.perf_counter()
    with dask_executor(workers=1) as executor:
        engine = Engine(executor, staging=default_staging_dir(db))
        report = process_manifest(db, load_manifest(folder / "manifest.yaml"), options, engine=engine)
        (devices,) = executor.client.run(worker_devices, options).values()
    wall_s = time.perf_counter() - started
    result = report.results[0]
    con = connect(db)
    stored = con.execute("select options, timings_s from pipeline_runs where meeting_id = 'gpu-check'").fetchone()
    duration_s = con.execute("select duration_s from meetings where meeting_id = 'gpu-check'").fetchone()
    con.close()
    run_options = json.loads(stored[0]) if stored else {}
    print(f"meeting: {result.status} {result.reason or ''}")
    print(f"worker: {json.dumps(devices)}")
    print(
        f"stored run options: transcription on {run_options.get('transcription', {}).get('device')}, "
        f"diarisation on {run_options.get('diarisation', {}).get('device')}"
    )
    print(
        f"stage seconds: {stored[1] if stored else '-'}; wall {wall_s:.1f} s (start-up and model loading "
        f"included) for {duration_s[0] if duration_s else '?'} s of audio"
    )
    checks = {
        "meeting processed": result.status == "processed",
        "pyannote pipeline on CUDA": devices["diarisation_device"].startswith("cuda"),
        "every diarisation model parameter on CUDA": bool(devices["diarisation_parameter_devices"])
        and all(d.startswith("cuda") for d in devices["diarisation_parameter_devices"]),
        "faster-whisper on CUDA": devices["whisper_device"].startswith("cuda"),
        "faster-whisper in float16": "float16" in devices["whisper_compute_type"],
        "GPU memory used by the worker": devices["gpu_memory_peak_mib"] > 0,
        "the worker's models were the meeting's (no second load)": not devices["diarisation_loaded_again"],
        "run recorded with device cuda": run_options.get("transcription", {}).get("device") == "cuda",
    }
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
