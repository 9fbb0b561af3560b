"""The transcription worker never outlives the process that started it, even mid-transcription
(an idle worker also ends when its request pipe closes; a busy one would run on for minutes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import sample_dir, sample_twice_with_a_pause

pytestmark = pytest.mark.models  # a real transcription keeps the worker busy

PARENT = textwrap.dedent("""
    import sys, time
    import numpy as np
    import dialogic
    from dialogic.asr_worker import shared_worker
    from dialogic.audio import decode_audio
    from dialogic.options import TranscriptionOptions
    audio = decode_audio(sys.argv[1])
    worker = shared_worker()
    started = []
    worker.submit(np.tile(audio.samples, 40), 16000, TranscriptionOptions(model="tiny.en", cpu_threads=1),
                  progress=lambda done, total: started.append(done))
    while not started:
        time.sleep(0.05)
    print(worker._process.pid, flush=True)  # the worker is transcribing 20 minutes of audio now
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie is gone for our purposes
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_busy_worker_dies_with_its_parent(how):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(sample_dir() / "sample.wav")], stdout=subprocess.PIPE, text=True
    )
    worker_pid = int(parent.stdout.readline())
    assert _alive(worker_pid)
    parent.send_signal(how)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    still = _alive(worker_pid)
    if still:
        os.kill(worker_pid, signal.SIGKILL)
    assert not still, f"worker {worker_pid} outlived its parent ({how.name})"


def test_the_worker_reads_the_recording_window_by_window_and_transcribes_it_as_in_process():
    from dialogic.asr_worker import TranscriptionWorker
    from dialogic.options import TranscriptionOptions
    from dialogic.transcribe import transcribe_audio

    audio = sample_twice_with_a_pause()
    options = TranscriptionOptions(model="tiny.en", window_s=34, cpu_threads=1)  # two windows
    worker = TranscriptionWorker()
    try:
        progress = []
        remote, _ = worker.submit(
            audio.samples, audio.sample_rate, options, progress=lambda done, total: progress.append((done, total))
        ).result(timeout=300)
    finally:
        worker.close()
    here = transcribe_audio(audio, options)
    assert remote.words == here.words and remote.words
    assert progress[-1] == (64.0, 64.0) and any(done > 32 for done, _ in progress[:-1])
