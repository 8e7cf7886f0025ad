"""Enrichment through the app against the loopback vPIC: a cache hit calls nobody, the
PostgreSQL copy answers when Redis lost it, a slow vPIC gives the offline decode in time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_devstack.fakevpic import create_app

from tests.conftest import loopback
from tests.services.vin_intel.conftest import VinClient

PILOT = "5FNYF5H59HB011946"
ALTIMA = "1N4AL3AP0JC123456"
RAV4 = "2T3P1RFV7KW123456"


@pytest.fixture
async def vpic() -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async with loopback(create_app()) as url, httpx.AsyncClient(base_url=url) as control:
        yield f"{url}/api", control


@pytest.fixture
async def cache_prefix(redis: Redis, vin_db: AsyncEngine, unique: str) -> AsyncIterator[str]:
    prefix = f"test:vin:{unique}:"
    yield prefix
    keys = [k async for k in redis.scan_iter(match=prefix + "*")]
    if keys:
        await redis.delete(*keys)
    async with vin_db.begin() as conn:
        await conn.execute(
            text("DELETE FROM vin_intel.vpic_cache WHERE vin = ANY(:v)"),
            {"v": [PILOT, ALTIMA, RAV4]},
        )


async def calls(control: httpx.AsyncClient) -> int:
    total: int = (await control.get("/_fake/calls")).json()["total"]
    return total


async def test_second_decode_is_a_cache_hit_without_a_vpic_call(
    vin_client: VinClient,
    accounts: Callable[[str], str],
    vpic: tuple[str, httpx.AsyncClient],
    cache_prefix: str,
    redis: Redis,
) -> None:
    url, control = vpic
    env = {"VIN_INTEL_VPIC_CACHE_PREFIX": cache_prefix}
    async with vin_client(accounts("a"), vpic=url, **env) as client:
        first = (await client.get(f"/v1/vin/{PILOT}")).json()
        second = (await client.get(f"/v1/vin/{PILOT}")).json()
        assert await calls(control) == 1
        # Redis lost it (evicted, flushed): the 90-day PostgreSQL copy answers, no call.
        await redis.delete(cache_prefix + PILOT)
        third = (await client.get(f"/v1/vin/{PILOT}")).json()
        assert await calls(control) == 1
        assert await redis.exists(cache_prefix + PILOT)  # and Redis has it again
        # A batch: one vPIC batch call for the two VINs not cached yet.
        batch = await client.post("/v1/vin/decode", json={"vins": [PILOT, ALTIMA, RAV4]})
    assert [first["enrichment"], second["enrichment"], third["enrichment"]] == [
        "vpic",
        "cache",
        "cache",
    ]
    assert first["attributes"]["engine_model"] == third["attributes"]["engine_model"]
    assert [d["enrichment"] for d in batch.json()["items"]] == ["cache", "vpic", "vpic"]
    counts = (await control.get("/_fake/calls")).json()
    assert (counts["total"], counts["batch"]) == (2, 1)
    ttl = await redis.ttl(cache_prefix + ALTIMA)
    assert 29 * 86400 < ttl <= 30 * 86400


async def test_slow_or_failing_vpic_answers_offline_within_the_deadline(
    vin_client: VinClient,
    accounts: Callable[[str], str],
    vpic: tuple[str, httpx.AsyncClient],
    cache_prefix: str,
) -> None:
    url, control = vpic
    env = {
        "VIN_INTEL_VPIC_CACHE_PREFIX": cache_prefix,
        "VIN_INTEL_VPIC_TIMEOUT_SECONDS": "0.3",
        "VIN_INTEL_VPIC_DEADLINE_SECONDS": "0.8",
    }
    async with vin_client(accounts("a"), vpic=url, **env) as client:
        await control.post("/_fake/slow", json={"delay": 5})
        started = time.perf_counter()
        slow = await client.get(f"/v1/vin/{PILOT}")
        took = time.perf_counter() - started
        await control.post("/_fake/normal")
        await control.post("/_fake/fail", json={"status": 503, "times": None})
        failing = await client.post("/v1/vin/decode", json={"vins": [ALTIMA, RAV4]})
    assert slow.status_code == 200
    assert slow.json()["enrichment"] == "unavailable"
    assert slow.json()["model"] == "Pilot"
    assert took < 2.0
    assert failing.status_code == 200
    assert [d["enrichment"] for d in failing.json()["items"]] == ["unavailable", "unavailable"]


async def test_expired_answers_are_ignored_then_purged(
    vin_db: AsyncEngine, redis: Redis, cache_prefix: str
) -> None:
    from datetime import timedelta

    from velox_shared.db import session_factory
    from velox_vin_intel.enrichment.cache import VpicCache
    from velox_vin_intel.enrichment.janitor import CachePurger

    sessions = session_factory(vin_db)
    stale = VpicCache(redis, sessions, prefix=cache_prefix, database_ttl=timedelta(seconds=-1))
    fresh = VpicCache(redis, sessions, prefix=cache_prefix)
    await stale.put_many({PILOT: {"make": "HONDA"}})
    await fresh.put_many({ALTIMA: {"make": "NISSAN"}})
    await redis.delete(cache_prefix + PILOT, cache_prefix + ALTIMA)
    assert set(await fresh.get_many([PILOT, ALTIMA])) == {ALTIMA}
    purger = CachePurger(fresh, interval=3600)
    task = asyncio.create_task(purger.run())
    for _ in range(100):
        async with vin_db.connect() as conn:
            left = (await conn.execute(text("SELECT vin FROM vin_intel.vpic_cache"))).all()
        if PILOT not in {r[0] for r in left}:
            break
        await asyncio.sleep(0.02)
    await purger.stop()
    task.cancel()
    assert {r[0] for r in left} >= {ALTIMA}
    assert PILOT not in {r[0] for r in left}
