"""The gateway enforces the catalogue billing publishes, and nothing before it arrives."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from velox_gateway.app import create_app as create_gateway
from velox_gateway.catalog import (
    CATALOG_KEY,
    VERSION_KEY,
    CatalogHolder,
    CatalogUnavailable,
    CatalogWatcher,
)
from velox_shared.contracts.billing import CatalogPublished
from velox_shared.contracts.plans import Catalog, catalog_version
from velox_shared.events import new_envelope, stream_for

from tests.conftest import serve, shipped_catalog


@pytest.fixture
async def clean_catalog(redis: Redis) -> AsyncIterator[None]:
    """This test owns the stored catalogue; what was there before is put back."""
    saved = await redis.mget(CATALOG_KEY, VERSION_KEY)
    await redis.delete(CATALOG_KEY, VERSION_KEY)
    yield
    await redis.delete(CATALOG_KEY, VERSION_KEY)
    if saved[0] is not None and saved[1] is not None:
        await redis.mset({CATALOG_KEY: saved[0], VERSION_KEY: saved[1]})


def published(catalog: Catalog) -> CatalogPublished:
    return CatalogPublished(version=catalog_version(catalog), catalog=catalog)


def cheaper(catalog: Catalog) -> Catalog:
    data = json.loads(catalog.model_dump_json())
    data["families"]["vin"]["tiers"]["pro"]["price"]["amount"] = 900
    return Catalog.model_validate(data)


async def test_an_unpinned_gateway_waits_for_billing_then_enforces_its_catalogue(
    component_app: Callable[[str], FastAPI],
    monkeypatch: pytest.MonkeyPatch,
    redis: Redis,
    clean_catalog: None,
) -> None:
    component_app("gateway")  # sets the test environment (which pins the catalogue)
    monkeypatch.delenv("GATEWAY_PLANS_FILE")
    monkeypatch.setenv("VELOX_SERVICE_URLS", "{}")  # readiness: only the catalogue matters
    app = create_gateway()
    async with serve(app) as client:
        waiting = await client.get("/readyz")
        refused = await client.get("/v1/vin/x", headers={"X-API-Key": "vx_test_nothing"})
        # Billing publishes; the gateway's own consumer stores and loads it.
        envelope = new_envelope(published(shipped_catalog()), account_id=None)
        entry = await redis.xadd(
            stream_for(CatalogPublished.event_type), {"envelope": envelope.model_dump_json()}
        )
        try:
            for _ in range(100):
                ready = await client.get("/readyz")
                if ready.status_code == 200:
                    break
                await asyncio.sleep(0.1)
        finally:
            await redis.xdel(stream_for(CatalogPublished.event_type), entry)
    assert waiting.status_code == 503
    assert waiting.json()["checks"]["catalog"] == "waiting for billing"
    assert refused.status_code == 503
    assert refused.json()["type"].endswith("/catalog-unavailable")
    assert refused.headers["retry-after"] == "2"
    assert ready.status_code == 200, ready.text
    assert (await redis.get(VERSION_KEY)) == catalog_version(shipped_catalog()).encode()


async def test_every_process_picks_up_a_newer_catalogue(redis: Redis, clean_catalog: None) -> None:
    first, second = CatalogHolder(), CatalogHolder()
    with pytest.raises(CatalogUnavailable):
        _ = first.current
    shipped = published(shipped_catalog())
    await redis.mset({CATALOG_KEY: shipped.model_dump_json(), VERSION_KEY: shipped.version})
    watchers = [CatalogWatcher(redis, first), CatalogWatcher(redis, second)]
    assert [await w.check_once() for w in watchers] == [True, True]
    assert [await w.check_once() for w in watchers] == [False, False]  # same version
    newer = published(cheaper(shipped_catalog()))
    await redis.mset({CATALOG_KEY: newer.model_dump_json(), VERSION_KEY: newer.version})
    assert await watchers[1].check_once()
    assert second.current.tier("vin", "pro").price.amount == 900
    assert first.current.tier("vin", "pro").price.amount == 1900  # until its own check


def test_a_pinned_catalogue_ignores_publications() -> None:
    holder = CatalogHolder(shipped_catalog(), pinned=True)
    newer = cheaper(shipped_catalog())
    assert not holder.replace(newer, catalog_version(newer))
    assert holder.current.tier("vin", "pro").price.amount == 1900
