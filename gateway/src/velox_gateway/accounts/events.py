"""Billing's plan changes reach the gateway here: stored plans replaced, caches dropped.

The gateway consumes ``billing.plans.changed`` from ``velox:events:billing`` in its own
consumer group. The handler replaces the account's tiers in the gateway's schema in the
consumer's transaction and, once that commits, deletes the account's Redis plan entry;
every process's in-memory entry expires within ``PlanResolver``'s two-second TTL. A plan
naming an unknown family or tier, or an unknown account, fails the handler, so the event
is retried and then dead-lettered for an operator rather than half applied.
"""

from __future__ import annotations

import contextlib
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.app import Runtime, consumer_name
from velox_shared.contracts.billing import AccountPlansChanged, CatalogPublished
from velox_shared.events import EventEnvelope, Handler, StreamConsumer, after_commit, stream_for

from velox_gateway import NAME
from velox_gateway.accounts.plans import plans_cache_key
from velox_gateway.accounts.repository import Plans
from velox_gateway.accounts.service import get_account, parse_plan
from velox_gateway.catalog import CatalogHolder, catalog_published_handler

__all__ = ["billing_consumer", "plans_changed_handler"]

_log = logging.getLogger("velox.gateway.plans")


def plans_changed_handler(catalogs: CatalogHolder, redis: Redis) -> Handler:
    """The handler for :class:`AccountPlansChanged`, bound to the catalogue and Redis."""

    async def handle(envelope: EventEnvelope, session: AsyncSession) -> None:
        change = envelope.parse(AccountPlansChanged)
        catalog = catalogs.current
        plans = dict(parse_plan(catalog, f"{f}:{t}") for f, t in change.plans.items())
        await get_account(session, change.account_id)
        await Plans(session).replace(change.account_id, plans, source="billing")

        async def forget() -> None:
            with contextlib.suppress(RedisError):
                await redis.delete(plans_cache_key(change.account_id))

        after_commit(session, forget)
        _log.info(
            "plans changed",
            extra={"account_id": change.account_id, "plans": plans, "reason": change.reason},
        )

    return handle


def billing_consumer(runtime: Runtime, catalogs: CatalogHolder) -> StreamConsumer:
    """The gateway's consumer of billing's stream."""
    return StreamConsumer(
        runtime.redis,
        runtime.sessions,
        runtime.events,
        group=NAME,
        consumer=consumer_name(NAME),
        streams=[stream_for(AccountPlansChanged.event_type)],
        handlers={
            AccountPlansChanged.event_type: plans_changed_handler(catalogs, runtime.redis),
            CatalogPublished.event_type: catalog_published_handler(runtime.redis, catalogs),
        },
    )
