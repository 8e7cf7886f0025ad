"""Orders count against the plan when commerce says it placed them (by event), whether the
buyer's return or Stripe's webhook placed them, and once per order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from velox_gateway.db.models import events
from velox_gateway.usage.service_events import ORDER_QUOTA
from velox_shared.contracts.commerce import OrderPlaced
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.db import create_engine
from velox_shared.events import EventEnvelope, new_envelope, stream_for

from tests.conftest import DbInfo
from tests.gateway.conftest import Tenants

STREAM = stream_for(OrderPlaced.event_type)
USAGE_STREAM = stream_for(UsageRecorded.event_type)


def placed(account_id: str, order_id: str) -> EventEnvelope:
    payload = OrderPlaced(
        store_id="sto_1", order_id=order_id, number=1001, currency="USD", total=1800, lines=1
    )
    return new_envelope(payload, account_id=account_id)


@pytest.fixture
async def sent(redis: Redis, database: DbInfo) -> AsyncIterator[list[tuple[str, str]]]:
    added: list[tuple[str, str]] = []
    yield added
    if added:
        await redis.xdel(STREAM, *[entry for entry, _ in added])
        engine = create_engine(database.url_for("gateway"), schema="gateway")
        async with engine.begin() as conn:
            await conn.execute(
                events.processed.delete().where(
                    events.processed.c.event_id.in_([e for _, e in added])
                )
            )
        await engine.dispose()


async def orders_used(gateway: httpx.AsyncClient, token: str) -> int:
    usage = await gateway.get("/v1/usage", headers={"Authorization": f"Bearer {token}"})
    assert usage.status_code == 200, usage.text
    (line,) = [i for i in usage.json()["items"] if i["operation"] == ORDER_QUOTA]
    used: int = line["used"]
    return used


async def test_each_placed_order_counts_once_for_its_account(
    tenants: Tenants, gateway: httpx.AsyncClient, redis: Redis, sent: list[tuple[str, str]]
) -> None:
    ada = await tenants.signup("ada")
    bob = await tenants.signup("bob")
    first, second = placed(ada["account_id"], "ord_1"), placed(ada["account_id"], "ord_2")
    usage_before = await redis.xlen(USAGE_STREAM)
    # ord_1's event is delivered twice (a redelivery): it still counts once.
    for envelope in (first, first, second):
        entry = await redis.xadd(STREAM, {"envelope": envelope.model_dump_json()})
        sent.append((entry.decode() if isinstance(entry, bytes) else entry, envelope.id))
    for _ in range(80):
        if await orders_used(gateway, ada["access_token"]) == 2:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)  # a third count would have landed by now
    assert await orders_used(gateway, ada["access_token"]) == 2
    assert await orders_used(gateway, bob["access_token"]) == 0
    # Billing hears of it as of any metered call.
    assert await redis.xlen(USAGE_STREAM) >= usage_before + 2
