"""Writing events to the outbox inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from velox_shared.events.envelope import EventEnvelope, EventPayload, new_envelope, stream_for
from velox_shared.events.tables import EventTables

__all__ = ["publish"]


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
    envelope = (
        payload
        if isinstance(payload, EventEnvelope)
        else new_envelope(payload, account_id=account_id)
    )
    await session.execute(
        tables.outbox.insert().values(
            event_id=envelope.id,
            stream=stream_for(envelope.type),
            envelope=envelope.model_dump_json(),
        )
    )
    return envelope
