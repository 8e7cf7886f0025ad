"""Writing events to the outbox inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from velox_shared.events.envelope import EventEnvelope, EventPayload, new_envelope, stream_for
from velox_shared.events.tables import EventTables

__all__ = ["publish", "publish_many"]


def _row(envelope: EventEnvelope) -> dict[str, str]:
    return {
        "event_id": envelope.id,
        "stream": stream_for(envelope.type),
        "envelope": envelope.model_dump_json(),
    }


def _envelope(payload: EventPayload | EventEnvelope, account_id: str | None) -> EventEnvelope:
    if isinstance(payload, EventEnvelope):
        return payload
    return new_envelope(payload, account_id=account_id)


async def publish(
    session: AsyncSession,
    tables: EventTables,
    payload: EventPayload | EventEnvelope,
    *,
    account_id: str | None = None,
) -> EventEnvelope:
    """Add an event to the outbox; it reaches Redis only if the transaction commits.

    Example::

        order = await orders.create(...)
        await publish(session, events, OrderPlaced(order_id=order.id), account_id=acc)
    """
    envelope = _envelope(payload, account_id)
    # A bare insert with parameters: SQLAlchemy compiles it once and caches it.
    await session.execute(tables.outbox.insert(), _row(envelope))
    return envelope


async def publish_many(
    session: AsyncSession,
    tables: EventTables,
    payloads: Sequence[EventPayload | EventEnvelope],
    *,
    account_id: str | None = None,
) -> list[EventEnvelope]:
    """Add several events to the outbox in one round trip (same guarantees as :func:`publish`).

    Example::

        await publish_many(session, events, [ItemAdded(...), ItemAdded(...)], account_id=acc)
    """
    envelopes = [_envelope(p, account_id) for p in payloads]
    if envelopes:
        await session.execute(tables.outbox.insert(), [_row(e) for e in envelopes])
    return envelopes
