"""Billing's ``billing.plans.changed`` events change what the gateway enforces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from redis.asyncio import Redis
from velox_gateway.accounts.events import plans_changed_handler
from velox_gateway.accounts.plans import plans_cache_key
from velox_gateway.accounts.service import AccountNotFound, UnknownPlan
from velox_gateway.catalog import CatalogHolder
from velox_gateway.db.models import events
from velox_shared.contracts.billing import AccountPlansChanged
from velox_shared.db import create_engine, session_factory
from velox_shared.events import EventEnvelope, new_envelope, stream_for

from tests.conftest import DbInfo, shipped_catalog
from tests.gateway.conftest import Tenants

STREAM = stream_for(AccountPlansChanged.event_type)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def change(account_id: str, plans: dict[str, str]) -> EventEnvelope:
    payload = AccountPlansChanged(account_id=account_id, plans=plans, changed_at=datetime.now(UTC))
    return new_envelope(payload, account_id=account_id)


@pytest.fixture
async def sent(redis: Redis, database: DbInfo) -> AsyncIterator[list[tuple[str, str]]]:
    """Stream entries (id, event id) the test adds, removed with their processed rows after."""
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


async def tiers(gateway: httpx.AsyncClient, token: str) -> dict[str, str]:
    me = await gateway.get("/v1/accounts/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    return {p["family"]: p["tier"] for p in me.json()["plans"]}


async def test_a_plan_change_from_billing_takes_effect_within_seconds(
    tenants: Tenants, gateway: httpx.AsyncClient, redis: Redis, sent: list[tuple[str, str]]
) -> None:
    ada = await tenants.signup("ada")
    bob = await tenants.signup("bob")
    assert (await tiers(gateway, ada["access_token"]))["vin"] == "free"  # now cached
    assert await redis.exists(plans_cache_key(ada["account_id"]))
    envelope = change(ada["account_id"], {"vin": "pro", "analytics": "enterprise"})
    entry = await redis.xadd(STREAM, {"envelope": envelope.model_dump_json()})
    sent.append((entry.decode() if isinstance(entry, bytes) else entry, envelope.id))
    for _ in range(80):
        now = await tiers(gateway, ada["access_token"])
        if now["vin"] == "pro":
            break
        await asyncio.sleep(0.1)
    assert (now["vin"], now["analytics"], now["commerce"]) == ("pro", "enterprise", "free")
    # Another tenant is untouched.
    assert set((await tiers(gateway, bob["access_token"])).values()) == {"free"}


async def test_the_change_replaces_the_whole_set_and_is_idempotent(
    tenants: Tenants, gateway: httpx.AsyncClient, database: DbInfo, redis: Redis
) -> None:
    ada = await tenants.signup("ada")
    engine = create_engine(database.url_for("gateway"), schema="gateway")
    sessions = session_factory(engine)
    handler = plans_changed_handler(CatalogHolder(shipped_catalog()), redis)
    try:
        for plans in (
            {"vin": "pro", "trading": "pro"},
            {"vin": "enterprise"},
            {"vin": "enterprise"},
        ):
            async with sessions() as session, session.begin():
                await handler(change(ada["account_id"], plans), session)
    finally:
        await engine.dispose()
    await asyncio.sleep(2.1)  # the in-process memory cache lives two seconds
    now = await tiers(gateway, ada["access_token"])
    assert (now["vin"], now["trading"]) == ("enterprise", "free")


@pytest.mark.parametrize(
    ("plans", "error"),
    [({"vin": "platinum"}, UnknownPlan), ({"nope": "pro"}, UnknownPlan)],
)
async def test_a_change_naming_an_unknown_plan_is_refused_whole(
    tenants: Tenants,
    database: DbInfo,
    redis: Redis,
    plans: dict[str, str],
    error: type[Exception],
) -> None:
    ada = await tenants.signup("ada")
    engine = create_engine(database.url_for("gateway"), schema="gateway")
    handler = plans_changed_handler(CatalogHolder(shipped_catalog()), redis)
    try:
        with pytest.raises(error):
            async with session_factory(engine)() as session, session.begin():
                await handler(change(ada["account_id"], {"vin": "pro", **plans}), session)
        with pytest.raises(AccountNotFound):
            async with session_factory(engine)() as session, session.begin():
                await handler(change("acc_doesnotexist", {"vin": "pro"}), session)
    finally:
        await engine.dispose()
