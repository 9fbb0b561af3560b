"""dialogic's stages and computations as Prefect tasks, for the flows in ``flows/``: the one module
of the library that imports Prefect, so that no flow imports another.

`call_as_task` runs one stage of a meeting as a named task, retrying the stages that do I/O on
file-system and database I/O errors only, never on a bad recording or a bug. `TaskExecutor` is a
batch's executor (`dialogic.pipeline.Engine`): each meeting computed as a task on the flow's task
runner (threads, or a Dask cluster). Task results are not persisted: they hold health data, and
the only store for it is the DuckDB file.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

import duckdb
from prefect import task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from dialogic.compute import IO_STAGES


def _is_io_error(task, task_run, state) -> bool:
    """Retry only what may pass: file-system and database I/O, never a bad recording or a bug."""
    try:
        state.result()
    except (OSError, duckdb.IOException):
        return True
    except Exception:
        return False
    return False


@task(cache_policy=NONE, persist_result=False)
def run_stage(fn: Callable, args: tuple, kwargs: dict):
    """One stage of a meeting: ``fn(*args, **kwargs)``."""
    return fn(*args, **kwargs)


def call_as_task(meeting_id: str, stage: str, fn: Callable, *args, **kwargs):
    """How `dialogic.compute.compute_meeting` and the batch call a stage inside a flow: as a
    named Prefect task."""
    retries = dict(retries=2, retry_delay_seconds=5, retry_condition_fn=_is_io_error) if stage in IO_STAGES else {}
    named = run_stage.with_options(name=stage, task_run_name=f"{meeting_id}:{stage}", **retries)
    # quote(): the arguments hold audio and a database connection, which Prefect need not inspect.
    return named(fn, quote(args), quote(kwargs))


@task(cache_policy=NONE, persist_result=False)
def compute_task(fn: Callable, args: tuple, kwargs: dict):
    """One meeting computed: ``fn(meeting, ...)`` (`dialogic.compute.compute_meeting`, or
    `dialogic.compute.compute_and_stage` on a worker process)."""
    return fn(*args, **kwargs)


class TaskExecutor:
    """``submit(fn, meeting, *args)`` as a Prefect task on the running flow's task runner, its
    result handed back as a plain future."""

    def submit(self, fn: Callable, meeting, *args, **kwargs) -> concurrent.futures.Future:
        # Not quote()d: the Dask task runner would hand the task the wrapper, not the arguments.
        submitted = compute_task.with_options(task_run_name=f"compute {meeting.id}").submit(
            fn, (meeting, *args), kwargs
        )
        future: concurrent.futures.Future = concurrent.futures.Future()

        def hand_back(done) -> None:
            try:
                future.set_result(done.result())
            except BaseException as exc:  # the task failed for good: only its meeting fails
                future.set_exception(exc)

        submitted.add_done_callback(hand_back)
        return future
