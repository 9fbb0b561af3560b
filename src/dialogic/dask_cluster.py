"""A Dask cluster for a batch's `dialogic.pipeline.Engine`: a local one with N single-threaded workers, or an
existing one (a GPU box's, an HPC allocation's) by its scheduler address.

Dask retries a meeting whose worker died (``distributed.scheduler.allowed-failures``, 3 by
default) on another worker; after that its future raises and only that meeting fails.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import uuid
from collections.abc import Iterator

from dialogic.cores import available_cores
from dialogic.errors import DialogicError


def local_worker_cores(workers: int) -> int:
    """Each local worker's share of this machine's cores (at least one)."""
    return max(1, available_cores() // max(1, workers))


class DaskExecutor:
    """``submit(fn, meeting, *args)`` on the client's cluster, as a task named after the meeting:
    the executor of a batch's `dialogic.pipeline.Engine`."""

    def __init__(self, client) -> None:
        self.client = client
        self._executor = client.get_executor(pure=False)

    def submit(self, fn, meeting, *args, **kwargs) -> concurrent.futures.Future:
        key = f"meeting-{meeting.id}-{uuid.uuid4().hex[:8]}"
        return self._executor.submit(fn, meeting, *args, key=key, **kwargs)


@contextlib.contextmanager
def dask_executor(*, workers: int | None = None, address: str | None = None) -> Iterator[DaskExecutor]:
    """A `DaskExecutor` on a Dask cluster: ``workers`` local worker
    processes of one thread each (bound to 127.0.0.1, no dashboard), or the scheduler at
    ``address`` (``tcp://host:8786``), whose workers must have dialogic and its models installed
    and see the staging folder. The local cluster is shut down on leaving."""
    if (workers is None) == (address is None):
        raise DialogicError("give either a number of local Dask workers or a scheduler address, not both")
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if address is not None:
            try:
                client = stack.enter_context(Client(address, timeout="30s"))
            except OSError as exc:
                raise DialogicError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        else:
            if workers < 1:
                raise DialogicError(f"--dask-workers must be at least 1, got {workers}")
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,  # task names are meeting ids: serve them to no one
                )
            )
            client = stack.enter_context(Client(cluster))
        yield DaskExecutor(client)
