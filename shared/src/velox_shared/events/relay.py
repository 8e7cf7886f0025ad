"""The outbox relay: moves committed outbox rows to their Redis streams.

Rows are locked with ``FOR UPDATE SKIP LOCKED`` so several replicas can relay side by side;
a row is deleted only after Redis accepted it, in the same transaction that locked it. A
crash between the two re-publishes the batch (at-least-once); consumers drop duplicates by
event id. While Redis is down the rows simply stay in the outbox and the relay backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from velox_shared.events.tables import EventTables, notify_channel
from velox_shared.observability import EVENTS_PUBLISHED
from velox_shared.workers import Quiesce, Stoppable

__all__ = ["OutboxRelay"]

_log = logging.getLogger("velox.events.relay")


class OutboxRelay(Stoppable):
    """Publishes a schema's outbox to Redis until cancelled.

    Example::

        relay = OutboxRelay(engine, redis, events)
        task = asyncio.create_task(relay.run())
    """

    def __init__(
        self,
        engine: AsyncEngine,
        redis: Redis,
        tables: EventTables,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        max_backoff: float = 5.0,
        stream_maxlen: int = 100_000,
    ) -> None:
        self._engine = engine
        self._redis = redis
        self._outbox = tables.outbox
        self._channel = notify_channel(tables.schema)
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._maxlen = stream_maxlen
        self._wakeup = asyncio.Event()
        self._listener: AsyncConnection | None = None
        self.quiesce = Quiesce()

    async def relay_once(self) -> int:
        """Publish up to one batch; returns how many events left the outbox."""
        o = self._outbox
        async with self._engine.begin() as conn:
            query = (
                select(o.c.id, o.c.stream, o.c.envelope)
                .order_by(o.c.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = (await conn.execute(query)).all()
            if not rows:
                return 0
            async with self._redis.pipeline(transaction=False) as pipe:
                for row in rows:
                    pipe.xadd(
                        row.stream,
                        {"envelope": row.envelope},
                        maxlen=self._maxlen,
                        approximate=True,
                    )
                await pipe.execute()
            await conn.execute(delete(o).where(o.c.id.in_([row.id for row in rows])))
        for row in rows:
            EVENTS_PUBLISHED.labels(row.stream).inc()
        return len(rows)

    async def run(self) -> None:
        """Relay forever: drain, then sleep until NOTIFY or the poll interval."""
        backoff = 0.1
        try:
            while True:
                # redis-py can swallow a cancellation mid-command; do not loop on after one.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError
                try:
                    async with self.quiesce.section():
                        await self._ensure_listener()
                        moved = await self.relay_once()
                    backoff = 0.1
                    if moved < self._batch_size:
                        await self._wait()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    _log.warning("outbox relay paused", extra={"error": repr(exc)})
                    await self._drop_listener()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
        finally:
            await self._drop_listener()

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)
        self._wakeup.clear()

    def _notified(self, *_: Any) -> None:
        self._wakeup.set()

    async def _ensure_listener(self) -> None:
        if self._listener is not None:
            return
        conn = await self._engine.connect()
        raw = await conn.get_raw_connection()
        await raw.driver_connection.add_listener(self._channel, self._notified)  # type: ignore[union-attr]
        self._listener = conn

    async def _drop_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()
                await conn.close()
