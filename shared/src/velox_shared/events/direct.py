"""Publishing straight to a stream, for events with no database change to commit with
(usage metering counted in Redis, for example). Use the outbox for everything else."""

from __future__ import annotations

from redis.asyncio import Redis

from velox_shared.events.envelope import EventEnvelope, stream_for
from velox_shared.observability import EVENTS_PUBLISHED

__all__ = ["publish_now"]


async def publish_now(redis: Redis, envelope: EventEnvelope, *, maxlen: int = 100_000) -> str:
    """XADD ``envelope`` to its stream now; returns the stream message id.

    Example::

        await publish_now(redis, new_envelope(UsageRecorded(...), account_id=acc))
    """
    stream = stream_for(envelope.type)
    message_id = await redis.xadd(
        stream, {"envelope": envelope.model_dump_json()}, maxlen=maxlen, approximate=True
    )
    EVENTS_PUBLISHED.labels(stream).inc()
    return message_id.decode() if isinstance(message_id, bytes) else str(message_id)
