"""A long-lived child process that runs faster-whisper for the pipeline.

Why a process: on CPU, once CTranslate2 has run in a process, PyTorch work in that same process
runs about twice as slowly (diarising 3 min of audio: 6.6 s before a transcription, 12.9 s after;
the two libraries' OpenMP runtimes do not share a process well). A separate process also lets
transcription and diarisation run at the same time, each on part of the cores.

It is started with ``python -m dialogic.asr_worker`` (not multiprocessing), so it works from any
caller, scripts without a ``__main__`` guard included. Messages are length-prefixed pickles over
the child's stdin/stdout. A request is ``(num_samples, sample_rate, options)``; the audio itself
stays in the parent, which the child asks for one stretch at a time with ``("read", start,
stop)`` (answered with that slice of the samples), so the child holds one transcription window,
not a second copy of the whole recording. The child also sends zero or more ``("progress",
done_s, total_s)`` and ends with ``("ok", transcript, seconds)`` or ``("error", exception)``. The
child inherits the environment, so the privacy defaults hold there too.
"""

from __future__ import annotations

import atexit
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future

from dialogic.errors import DialogicError

_HEADER = struct.Struct("<Q")


def _send(stream, payload) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


class TranscriptionWorker:
    """One child process; requests are served one at a time, in order."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "dialogic.asr_worker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()

    def submit(self, samples, sample_rate: int, options, progress=None) -> Future:
        """Transcribe in the child; ``progress(done_s, total_s)`` is called (from a reader thread)
        as the child reports each decoded segment."""
        future: Future = Future()

        def run() -> None:
            with self._lock:
                try:
                    _send(self._process.stdin, (len(samples), sample_rate, options))
                    status, *value = _receive(self._process.stdout)
                    while status in ("read", "progress"):
                        if status == "read":
                            start, stop = value
                            _send(self._process.stdin, samples[start:stop])
                        elif progress is not None:
                            progress(*value)
                        status, *value = _receive(self._process.stdout)
                except (OSError, EOFError, pickle.PickleError) as exc:
                    future.set_exception(DialogicError(f"the transcription worker process stopped: {exc!r}"))
                    return
            if status == "ok":
                future.set_result(tuple(value))
            else:
                future.set_exception(value[0])

        threading.Thread(target=run, name="dialogic-asr", daemon=True).start()
        return future

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        if self.alive:
            try:
                self._process.stdin.close()
                self._process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()


_SHARED: TranscriptionWorker | None = None
_SHARED_LOCK = threading.Lock()


def shared_worker() -> TranscriptionWorker:
    """The process-wide worker, (re)started on first use and closed at exit; threads that ask at
    the same time get the same one."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None or not _SHARED.alive:
            _SHARED = TranscriptionWorker()
            atexit.register(_SHARED.close)
        return _SHARED


def submit_transcription(audio, options, progress=None) -> Future:
    """Start transcribing ``audio`` (a DecodedAudio) with ``options`` in the shared worker;
    ``.result()`` gives ``(Transcript, seconds)``. The caller checks first that the model exists
    (`dialogic.transcribe.resolve_asr_model`), so a missing model fails before any work starts."""
    return shared_worker().submit(audio.samples, audio.sample_rate, options, progress)


def serve(stdin=None, stdout=None) -> None:
    """The child's loop: transcribe each request until stdin closes."""
    import dialogic  # noqa: F401  (privacy defaults before faster-whisper loads)
    from dialogic.transcribe import transcribe_samples

    if stdout is None:
        # Keep a private handle on the reply pipe, then point fd 1 at stderr so that anything a
        # library prints cannot corrupt the replies.
        stdout = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)
    stdin = stdin or sys.stdin.buffer

    def read(start: int, stop: int):
        _send(stdout, ("read", start, stop))
        return _receive(stdin)

    while True:
        try:
            num_samples, sample_rate, options = _receive(stdin)
        except EOFError:
            return
        start = time.perf_counter()
        try:
            transcript = transcribe_samples(
                read,
                num_samples,
                sample_rate,
                options,
                progress=lambda done_s, total_s: _send(stdout, ("progress", done_s, total_s)),
            )
            reply = ("ok", transcript, time.perf_counter() - start)
        except Exception as exc:  # sent back to the caller, which raises it there
            reply = ("error", exc)
        _send(stdout, reply)


def die_with_parent(parent_pid: int, *, every_s: float = 0.5) -> threading.Thread:
    """End this process within ``every_s`` of the parent's end, however it ends (kill -9 too):
    a daemon thread watches for the parent's pid to go, and exits even while a transcription
    runs. (The kernel's parent-death signal is not used: it fires when the *thread* that started
    the worker ends, and the pipeline may start it from a short-lived thread.)"""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="dialogic-asr-parent-watch", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    serve()
