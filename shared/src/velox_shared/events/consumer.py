"""Consumer-group readers with idempotent handling, reclaiming and dead-lettering.

A batch read with XREADGROUP is handled in one database transaction that first records
every ``(group, event_id)`` in ``processed_events`` (one multi-row insert; ids already
there are duplicates and are skipped), then runs the handlers in stream order. The batch is
acknowledged (one XACK) only after that transaction commits. If any handler fails, the
batch transaction rolls back and each message is retried alone in its own transaction, so
one bad event never holds back the others and only it stays pending. Handlers must keep
their effects inside the session they are given (other services hear of them through the
outbox), since a batch that rolls back runs its handlers again one by one.

A consumer that dies mid-batch leaves its messages pending; after ``claim_idle_ms``
another consumer takes them over with XAUTOCLAIM. A message delivered more
than ``max_deliveries`` times, or one that is not a valid envelope, goes to
``<stream>:dlq`` with the error and is acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from velox_shared.events.envelope import EventEnvelope
from velox_shared.events.tables import EventTables
from velox_shared.observability import EVENTS_DEAD_LETTERED, EVENTS_HANDLED
from velox_shared.workers import Quiesce, Stoppable

__all__ = ["DEAD_LETTER_SUFFIX", "Handler", "StreamConsumer", "after_commit", "before_commit"]

Handler = Callable[[EventEnvelope, AsyncSession], Awaitable[None]]
DEAD_LETTER_SUFFIX = ":dlq"
_log = logging.getLogger("velox.events.consumer")

Message = tuple[bytes | str, dict[Any, Any]]


_AFTER_COMMIT = "velox.after_commit"
_BEFORE_COMMIT = "velox.before_commit"


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the handler's transaction has committed (not if it rolls back).

    For effects outside the database that must not run ahead of the commit, such as
    dropping a cache entry the handler's writes make stale. Failures are logged, not retried.

    Example::

        async def on_plans_changed(envelope, session):
            await plans.replace(...)
            after_commit(session, lambda: cache.delete(key))
    """
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def before_commit(session: AsyncSession, key: str, callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once, inside the handler's transaction, after every handler of the
    batch has run (a later registration under the same ``key`` is ignored).

    For handlers that gather their writes and send them as one statement per batch (one
    multi-row upsert instead of one per event); the callback's writes commit or roll back
    with the batch, so a failure still falls back to one event per transaction.

    Example::

        async def on_usage(envelope, session):
            pending = session.info.setdefault("usage", Counter())
            pending[envelope.account_id] += 1
            before_commit(session, "usage", lambda: flush(session))
    """
    session.info.setdefault(_BEFORE_COMMIT, {}).setdefault(key, callback)


async def _run_before_commit(session: AsyncSession) -> None:
    callbacks: dict[str, Callable[[], Awaitable[None]]] = session.info.pop(_BEFORE_COMMIT, {})
    for callback in callbacks.values():
        await callback()


def _raise_if_cancelling() -> None:
    """Re-raise a cancellation that redis-py swallowed mid-command (seen with redis 8)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _run_after_commit(session: AsyncSession) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            await callback()
        except Exception as exc:
            _log.warning("after-commit callback failed", extra={"error": repr(exc)})


class StreamConsumer(Stoppable):
    """Reads ``streams`` as member ``consumer`` of ``group`` and dispatches by event type.

    Example::

        consumer = StreamConsumer(redis, sessions, events, group="billing",
                                  consumer="billing-1", streams=["velox:events:commerce"],
                                  handlers={"commerce.order.placed": on_order_placed})
        task = asyncio.create_task(consumer.run())
    """

    def __init__(
        self,
        redis: Redis,
        sessions: async_sessionmaker[AsyncSession],
        tables: EventTables,
        *,
        group: str,
        consumer: str,
        streams: list[str],
        handlers: Mapping[str, Handler],
        batch_size: int = 100,
        block_ms: int = 1000,
        claim_idle_ms: int = 30_000,
        max_deliveries: int = 5,
        dead_letter_maxlen: int = 100_000,
        processed_retention: timedelta = timedelta(days=7),
    ) -> None:
        self._redis = redis
        self._sessions = sessions
        self._processed = tables.processed
        self.group = group
        self.consumer = consumer
        self._streams = streams
        self._handlers = dict(handlers)
        self._batch = batch_size
        self._block_ms = block_ms
        self._claim_idle_ms = claim_idle_ms
        self._max_deliveries = max_deliveries
        self._dlq_maxlen = dead_letter_maxlen
        self._retention = processed_retention
        self._last_claim = 0.0
        self._last_prune = 0.0
        self.quiesce = Quiesce()

    async def ensure_groups(self, start_id: str = "0") -> None:
        """Create the group on every stream (and the stream itself) if missing."""
        for stream in self._streams:
            try:
                await self._redis.xgroup_create(stream, self.group, id=start_id, mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def run(self) -> None:
        """Consume until cancelled, surviving Redis and database outages."""
        backoff = 0.1
        groups_ready = False
        while True:
            _raise_if_cancelling()
            try:
                if not groups_ready:
                    await self.ensure_groups()
                    groups_ready = True
                await self.poll()
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _raise_if_cancelling()
                _log.warning("consumer paused", extra={"group": self.group, "error": repr(exc)})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def poll(self) -> int:
        """One round: reclaim stuck messages when due, then read new ones; returns handled."""
        handled = 0
        now = time.monotonic()
        if now - self._last_claim >= self._claim_idle_ms / 2000:
            self._last_claim = now
            async with self.quiesce.section():
                handled += await self.reclaim()
        if now - self._last_prune >= 3600:
            self._last_prune = now
            async with self.quiesce.section():
                await self.prune_processed()
        reply: Any = await self._redis.xreadgroup(
            self.group,
            self.consumer,
            {stream: ">" for stream in self._streams},
            count=self._batch,
            block=self._block_ms,
        )
        if not reply:
            return handled
        # Read but not handled when a stop comes first: they stay pending and are reclaimed.
        async with self.quiesce.section():
            for stream, messages in reply:
                await self._process_batch(_s(stream), messages)
                handled += len(messages)
        return handled

    async def _process_batch(self, stream: str, messages: list[Message]) -> None:
        """Handle a freshly read batch in one transaction; fall back to one by one on error."""
        ready: list[tuple[str, EventEnvelope, Handler | None]] = []
        for message_id, fields in messages:
            mid = _s(message_id)
            raw = fields.get(b"envelope", fields.get("envelope"))
            try:
                envelope = EventEnvelope.model_validate_json(raw or b"")
            except ValidationError as exc:
                await self._dead_letter(stream, mid, fields, f"invalid envelope: {exc}")
                continue
            ready.append((mid, envelope, self._handlers.get(envelope.type)))
        if not ready:
            return
        try:
            await self._handle_batch([(env, h) for _, env, h in ready if h is not None])
        except Exception as exc:
            _log.info(
                "batch failed, handling its events one by one",
                extra={"group": self.group, "size": len(ready), "error": repr(exc)},
            )
            fields_by_id = {_s(mid): fields for mid, fields in messages}
            for mid, _, _ in ready:
                await self._process(stream, mid, fields_by_id[mid], deliveries=1)
            return
        await self._redis.xack(stream, self.group, *[mid for mid, _, _ in ready])
        handled = sum(1 for _, _, h in ready if h is not None)
        if handled:
            EVENTS_HANDLED.labels(self.group, "ok").inc(handled)
        if handled < len(ready):
            EVENTS_HANDLED.labels(self.group, "ignored").inc(len(ready) - handled)

    async def _handle_batch(self, batch: list[tuple[EventEnvelope, Handler]]) -> None:
        if not batch:
            return
        async with self._sessions() as session, session.begin():
            # executemany with RETURNING: SQLAlchemy sends it as one multi-row INSERT.
            inserted = await session.execute(
                insert(self._processed)
                .on_conflict_do_nothing()
                .returning(self._processed.c.event_id),
                [{"consumer_group": self.group, "event_id": e.id} for e, _ in batch],
            )
            first_time = set(inserted.scalars())
            for envelope, handler in batch:
                if envelope.id in first_time:
                    first_time.discard(envelope.id)  # the same event twice in one batch
                    await handler(envelope, session)
            await _run_before_commit(session)
        await _run_after_commit(session)

    async def reclaim(self) -> int:
        """Take over messages idle longer than ``claim_idle_ms`` and process them."""
        handled = 0
        for stream in self._streams:
            claimed: Any = await self._redis.xautoclaim(
                stream,
                self.group,
                self.consumer,
                min_idle_time=self._claim_idle_ms,
                start_id="0-0",
                count=self._batch,
            )
            messages: list[Message] = [m for m in claimed[1] if m[1] is not None]
            if not messages:
                continue
            counts = await self._delivery_counts(stream, messages)
            for message_id, fields in messages:
                mid = _s(message_id)
                await self._process(stream, mid, fields, deliveries=counts.get(mid, 1))
                handled += 1
        return handled

    async def _delivery_counts(self, stream: str, messages: list[Message]) -> dict[str, int]:
        first, last = _s(messages[0][0]), _s(messages[-1][0])
        pending: Any = await self._redis.xpending_range(
            stream,
            self.group,
            min=first,
            max=last,
            count=len(messages) * 2,
            consumername=self.consumer,
        )
        return {_s(p["message_id"]): int(p["times_delivered"]) for p in pending}

    async def _process(
        self, stream: str, message_id: str, fields: dict[Any, Any], *, deliveries: int
    ) -> None:
        raw = fields.get(b"envelope", fields.get("envelope"))
        try:
            envelope = EventEnvelope.model_validate_json(raw or b"")
        except ValidationError as exc:
            await self._dead_letter(stream, message_id, fields, f"invalid envelope: {exc}")
            return
        if deliveries > self._max_deliveries:
            await self._dead_letter(
                stream, message_id, fields, f"gave up after {deliveries - 1} deliveries"
            )
            return
        handler = self._handlers.get(envelope.type)
        try:
            if handler is not None:
                await self._handle_once(envelope, handler)
        except Exception as exc:
            # Left pending on purpose: reclaimed after claim_idle_ms, then dead-lettered.
            EVENTS_HANDLED.labels(self.group, "failed").inc()
            _log.warning(
                "event handler failed",
                extra={"group": self.group, "event_id": envelope.id, "error": repr(exc)},
            )
            return
        await self._redis.xack(stream, self.group, message_id)
        EVENTS_HANDLED.labels(self.group, "ok" if handler else "ignored").inc()

    async def _handle_once(self, envelope: EventEnvelope, handler: Handler) -> None:
        async with self._sessions() as session, session.begin():
            first_time = await session.execute(
                insert(self._processed)
                .values(consumer_group=self.group, event_id=envelope.id)
                .on_conflict_do_nothing()
                .returning(self._processed.c.event_id)
            )
            if first_time.first() is None:
                return
            await handler(envelope, session)
            await _run_before_commit(session)
        await _run_after_commit(session)

    async def _dead_letter(
        self, stream: str, message_id: str, fields: dict[Any, Any], reason: str
    ) -> None:
        entry: dict[Any, Any] = {_s(k): v for k, v in fields.items()}
        entry.update({"original_id": message_id, "group": self.group, "error": reason[:2000]})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(stream + DEAD_LETTER_SUFFIX, entry, maxlen=self._dlq_maxlen, approximate=True)
            pipe.xack(stream, self.group, message_id)
            await pipe.execute()
        EVENTS_DEAD_LETTERED.labels(self.group).inc()
        _log.error(
            "event dead-lettered",
            extra={"group": self.group, "message_id": message_id, "reason": reason[:500]},
        )

    async def prune_processed(self) -> int:
        """Forget processed ids older than the retention (far beyond any redelivery)."""
        cutoff = datetime.now(UTC) - self._retention
        table = self._processed
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                table.delete().where(
                    table.c.consumer_group == self.group, table.c.processed_at < cutoff
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)
