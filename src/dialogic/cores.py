"""How many cores a meeting computes with, and how they are split between its model stages.

The split is part of a meeting's processing key (`dialogic.keys.options_record`): PyTorch's
results depend on its thread count, so a run on another number of cores is another computation.
"""

from __future__ import annotations

import contextlib
import os
import threading

from dialogic.options import PipelineOptions


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity: a SLURM job's or a container's share,
    not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parallel_on_cpu(options: PipelineOptions) -> bool:
    """Transcription runs in its worker process beside diarisation, the cores split between them."""
    on_cpu = options.transcription.device == "cpu" and options.diarisation.device == "cpu"
    return on_cpu and options.parallel_cpu


def transcription_threads(options: PipelineOptions) -> int:
    """The threads transcription gets on CPU beside diarisation: half the meeting's cores."""
    return options.transcription.cpu_threads or max(1, (options.cpu_cores or available_cores()) // 2)


def cpu_threads(options: PipelineOptions) -> dict[str, int]:
    """The threads each model stage computes with on CPU, from the meeting's cores. Part of the
    processing key and the run record: PyTorch's results depend on its thread count (CAM++'s voice
    embeddings differ between one thread and two in the sixth decimal, and tag probabilities can
    move), so a run on another number of cores is another computation, and says so
    (docs/scale.md)."""
    cores = options.cpu_cores or available_cores()
    if parallel_on_cpu(options):
        asr = transcription_threads(options)
        return {"transcription": asr, "diarisation": max(1, cores - asr), "tagging": cores}
    return {"transcription": options.transcription.cpu_threads or cores, "diarisation": cores, "tagging": cores}


_TORCH_THREADS = threading.RLock()  # torch's thread count is process-wide


@contextlib.contextmanager
def torch_threads(threads: int):
    """PyTorch on exactly ``threads`` threads inside the block (the process's count restored after).
    Meetings computed in several threads of one process take turns here: another thread's count
    must not leak into this block's results."""
    import torch

    with _TORCH_THREADS:
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)


def use_cores(options: PipelineOptions) -> None:
    """Give PyTorch the meeting's cores: Dask starts its workers with OMP_NUM_THREADS=1, which
    would leave diarisation and tagging on one thread whatever the worker's share."""
    if options.transcription.device != "cpu" and options.diarisation.device != "cpu":
        return
    import torch

    torch.set_num_threads(options.cpu_cores or available_cores())
