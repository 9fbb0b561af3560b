"""Where a batch computes its meetings (`Engine`), and the rules for choosing it that `dialogic
process` and the Prefect flows share (`batch_options`)."""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Callable
from pathlib import Path

from dialogic.compute import PriorState, Progress, call_directly, compute_and_stage, compute_meeting
from dialogic.dask_cluster import local_worker_cores
from dialogic.errors import DialogicError, StagingError
from dialogic.keys import MeetingKey
from dialogic.manifest import MeetingSpec
from dialogic.options import PipelineOptions
from dialogic.records import ComputedMeeting, FailedMeeting
from dialogic.staging import discard_set, find_staged, read_staged, remove_all_sets, remove_partial_sets, staged_folder


class Engine:
    """Where a batch computes its meetings. Without an ``executor``, here, one at a time, each as
    it is reached. With one (anything with ``submit(fn, *args, **kwargs) -> Future``: a Dask
    client's executor, a Prefect task runner's wrapper, a thread pool), as many at once as it
    runs. With ``staging``, the executor's processes hand each meeting back as a staged set of
    files in that folder (`dialogic.staging`), which every process must see under the same path:
    a batch that stops between computing and storing leaves sets the next one stores without
    computing them again, and a finished batch leaves none."""

    def __init__(self, executor=None, *, staging: Path | None = None, call: Callable = call_directly) -> None:
        self.executor, self.staging, self.call = executor, staging, call

    @property
    def window(self) -> int:
        """Meetings submitted ahead of the one being stored."""
        return 0 if self.executor is None else 1 << 30

    def __enter__(self) -> Engine:
        if self.staging is not None:
            remove_partial_sets(self.staging)  # left by workers killed while writing: never loaded
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # A finished batch leaves no health data outside the database; one that stopped keeps its
        # complete sets for the next batch to store.
        if self.staging is not None and exc_type is None:
            remove_all_sets(self.staging)

    def submit(
        self, meeting: MeetingSpec, options: PipelineOptions, prior: PriorState, key: MeetingKey, progress: Progress
    ) -> concurrent.futures.Future:
        if self.executor is None:
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(compute_meeting(meeting, options, prior, key, progress=progress, call=self.call))
            return done
        if self.staging is None:
            return self.executor.submit(compute_meeting, meeting, options, prior, key, call=self.call)
        staged = find_staged(self.staging, meeting.id, key.processing_key)
        if staged is not None:  # computed by an earlier batch that stopped before storing it
            done = concurrent.futures.Future()
            done.set_result(str(staged))
            return done
        progress(meeting.id, "compute")
        return self.executor.submit(compute_and_stage, meeting, options, prior, key, str(self.staging))

    def result(self, meeting: MeetingSpec, key: MeetingKey, future) -> ComputedMeeting | FailedMeeting:
        """A submitted meeting's result; a future that raises (a worker died more often than the
        executor retries) fails only its meeting."""
        try:
            outcome = future.result()
        except Exception as exc:
            return FailedMeeting(meeting.id, f"compute: the worker failed: {exc.__class__.__name__}: {exc}")
        if not isinstance(outcome, str):
            return outcome
        try:
            return read_staged(outcome, meeting_id=meeting.id, processing_key=key.processing_key)
        except StagingError as exc:
            discard_set(outcome)  # a later batch computes it again
            return FailedMeeting(meeting.id, f"load: {exc}")

    def release(self, meeting: MeetingSpec, key: MeetingKey) -> None:
        """The meeting is stored (or was already): its staged set goes."""
        if self.staging is not None:
            discard_set(staged_folder(self.staging, meeting.id, key.processing_key))


def batch_options(
    options: PipelineOptions = PipelineOptions(),
    *,
    device: str = "cpu",
    workers: int | None = None,
    address: str | None = None,
    staging_dir: Path | None = None,
) -> PipelineOptions:
    """The rules `dialogic process` and the flows share for where a batch runs: raises
    DialogicError for a combination that cannot work, and gives each local Dask worker its share
    of this machine's cores unless ``options.cpu_cores`` says otherwise."""
    if workers is not None and address is not None:
        raise DialogicError("give --dask-workers or --dask-address, not both")
    if workers is not None and workers < 1:
        raise DialogicError(f"--dask-workers must be at least 1, got {workers}")
    if device != "cpu" and workers is not None and workers > 1:
        # every local worker would use the first GPU; one worker per GPU needs its own device setting
        raise DialogicError(
            "--device cuda with --dask-workers above 1 would put every worker on the first GPU: start one Dask "
            "worker per GPU (CUDA_VISIBLE_DEVICES) and pass --dask-address (docs/scale.md)"
        )
    if staging_dir is not None and workers is None and address is None:
        raise DialogicError("--staging-dir is for a Dask batch: add --dask-workers or --dask-address")
    options = dataclasses.replace(
        options,
        transcription=dataclasses.replace(
            options.transcription, device=device, compute_type="int8" if device == "cpu" else "float16"
        ),
        diarisation=dataclasses.replace(options.diarisation, device=device),
    )
    if workers is not None and not options.cpu_cores:
        options = dataclasses.replace(options, cpu_cores=local_worker_cores(workers))
    return options
