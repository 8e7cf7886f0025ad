"""The commerce stream's webhook consumer: each event becomes one delivery per matching
active subscription of its account.

The shared consumer records the event id in the same transaction (a redelivered stream
message is skipped), and the unique ``(subscription_id, event_id)`` makes an insert that
gets past it anyway a no-op, so an event is delivered once per subscription.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.app import Runtime, consumer_name
from velox_shared.events import EventEnvelope, StreamConsumer, stream_for
from velox_shared.ids import new_id

from velox_commerce.webhooks.catalogue import PUBLIC_TYPES, webhook_body
from velox_commerce.webhooks.repository import Deliveries, Subscriptions

__all__ = ["GROUP", "fan_out", "webhook_consumer"]

GROUP = "commerce-webhooks"


async def fan_out(envelope: EventEnvelope, session: AsyncSession) -> None:
    """Queue ``envelope`` for every subscription of its account that wants it."""
    event_type = PUBLIC_TYPES.get(envelope.type)
    if event_type is None or envelope.account_id is None:
        return
    store_id = envelope.payload.get("store_id")
    targets = await Subscriptions(session).matching(
        envelope.account_id,
        event_type,
        store_id if isinstance(store_id, str) else None,
        envelope.occurred_at,
    )
    body = webhook_body(event_type, envelope.occurred_at, envelope.payload)
    await Deliveries(session).add_once(
        [
            {
                "id": new_id("whd"),
                "account_id": envelope.account_id,
                "subscription_id": subscription_id,
                "event_id": envelope.id,
                "event_type": event_type,
                "payload": body,
            }
            for subscription_id in targets
        ]
    )


def webhook_consumer(runtime: Runtime) -> StreamConsumer:
    """Reads ``velox:events:commerce`` in its own group, beside other readers of it."""
    return StreamConsumer(
        runtime.redis,
        runtime.sessions,
        runtime.events,
        group=GROUP,
        consumer=consumer_name(GROUP),
        streams=sorted({stream_for(t) for t in PUBLIC_TYPES}),
        handlers=dict.fromkeys(PUBLIC_TYPES, fan_out),
    )
