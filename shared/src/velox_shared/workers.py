"""Background loops that stop between units of work, never inside one.

Cancelling a task in the middle of a database transaction leaves its pooled connection
checked out; the garbage collector later finds it and terminates it. Loops that touch the
database therefore wrap each unit of work in :meth:`Quiesce.section`, and the owner stops
them with :func:`stop_tasks`: it asks each loop to stop, waits for the running sections
to finish (bounded), then cancels the tasks, which are by then waiting on something
harmless (a sleep, a blocking stream read).

Example::

    quiesce = Quiesce()

    async def run() -> None:
        while True:
            async with quiesce.section():
                await do_one_batch()
            await asyncio.sleep(1)

    task = asyncio.create_task(run())
    ...
    await stop_tasks([task], [quiesce])
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

__all__ = ["BackgroundWorker", "Quiesce", "Stoppable", "stop_tasks"]


class Quiesce:
    """Tracks a loop's units of work so it can be stopped between them."""

    def __init__(self) -> None:
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.stopping = False

    @contextlib.asynccontextmanager
    async def section(self) -> AsyncIterator[None]:
        """One unit of work; once a stop was requested, no new one starts."""
        if self.stopping:
            raise asyncio.CancelledError
        self._busy += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def stop(self, timeout: float) -> None:
        """Refuse new sections and wait (at most ``timeout`` s) for the running ones."""
        self.stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)


class Stoppable:
    """Mixin for background workers: ``self.quiesce`` and :meth:`stop`."""

    quiesce: Quiesce

    async def stop(self, timeout: float = 5.0) -> None:
        await self.quiesce.stop(timeout)


class BackgroundWorker(Stoppable, abc.ABC):
    """A loop a service runs beside its API (see ``ServiceSpec.workers``)."""

    name: str = "worker"

    @abc.abstractmethod
    async def run(self) -> None:
        """The loop itself; runs until the task is cancelled."""


async def stop_tasks(
    tasks: Iterable[asyncio.Task[object]],
    workers: Iterable[Stoppable | Quiesce],
    *,
    timeout: float = 5.0,
) -> None:
    """Stop ``workers`` between units of work, then cancel and await ``tasks``."""
    await asyncio.gather(*(w.stop(timeout) for w in workers))
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
