"""Units a service counts itself, told by event rather than in a proxied response.

Commerce places an order either on the buyer's return (a proxied call) or on Stripe's
signed webhook (public: no API key, no quota check); counting on the response would miss
the second. So commerce answers its completion call with ``Velox-Usage-Units: 0`` and
publishes ``commerce.order.placed``; this consumer charges one ``commerce.orders`` unit
per event (the consumer group and the processed-event ids make that once per order) and
records the usage as a proxied call would. The completion route still checks the quota
up front, so an exhausted plan cannot start placing orders from the storefront.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.app import Runtime, consumer_name
from velox_shared.contracts.commerce import OrderPlaced
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import (
    EventEnvelope,
    Handler,
    StreamConsumer,
    after_commit,
    new_envelope,
    publish_now,
    stream_for,
)

from velox_gateway import NAME
from velox_gateway.limits.quota import QuotaCounter, QuotaUnavailable

__all__ = ["ORDER_QUOTA", "order_placed_handler", "service_usage_consumer"]

ORDER_QUOTA = "commerce.orders"
SERVICE_PRINCIPAL = "svc_commerce"

_log = logging.getLogger("velox.gateway.usage")


def order_placed_handler(quotas: QuotaCounter, redis: Redis) -> Handler:
    """Charge one order to the account once the consumer's transaction commits."""

    async def handle(envelope: EventEnvelope, session: AsyncSession) -> None:
        placed = envelope.parse(OrderPlaced)
        account = envelope.account_id
        if not account:
            _log.warning("order without account", extra={"order_id": placed.order_id})
            return

        async def charge() -> None:
            try:
                await quotas.consume(account, ORDER_QUOTA, limit=None)
                usage = UsageRecorded(
                    account_id=account,
                    principal_id=SERVICE_PRINCIPAL,
                    operation=ORDER_QUOTA,
                    units=1,
                    period=datetime.now(UTC).strftime("%Y-%m"),
                )
                await publish_now(redis, new_envelope(usage, account_id=account))
            except (QuotaUnavailable, RedisError):
                _log.warning(
                    "order not counted: Redis failed",
                    extra={"account_id": account, "order_id": placed.order_id},
                )

        after_commit(session, charge)

    return handle


def service_usage_consumer(runtime: Runtime) -> StreamConsumer:
    """The gateway's consumer of commerce's stream (orders count against the plan)."""
    return StreamConsumer(
        runtime.redis,
        runtime.sessions,
        runtime.events,
        group=NAME,
        consumer=consumer_name(NAME),
        streams=[stream_for(OrderPlaced.event_type)],
        handlers={
            OrderPlaced.event_type: order_placed_handler(QuotaCounter(runtime.redis), runtime.redis)
        },
    )
