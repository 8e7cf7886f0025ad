"""Limiters and counters on the test Redis, keys under ``t<unique>:``, deleted afterwards.

The ``redis`` fixture's client has redis-py's default pool of 100 connections; tests that
fire 200 calls at once get their own wider client (a smaller pool would fail calls with
``MaxConnectionsError`` rather than queue them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from velox_gateway.limits import QuotaCounter, RateLimiter

from tests.conftest import Servers
from tests.gateway.limits.clients import DEAD_REDIS_URL, hot_client


@pytest.fixture
async def wide_redis(servers: Servers, redis: Redis, unique: str) -> AsyncIterator[Redis]:
    client = hot_client(servers.redis_url)
    yield client
    await client.aclose()
    keys = await redis.keys(f"t{unique}:*")
    if keys:
        await redis.delete(*keys)


@pytest.fixture
async def dead_redis() -> AsyncIterator[Redis]:
    """A client of a closed port: every call fails at once with ConnectionError."""
    client = hot_client(DEAD_REDIS_URL, timeout=0.2)
    yield client
    await client.aclose()


@pytest.fixture
def limiter(wide_redis: Redis, unique: str) -> RateLimiter:
    return RateLimiter(wide_redis, prefix=f"t{unique}:rl")


@pytest.fixture
def quotas(wide_redis: Redis, unique: str) -> QuotaCounter:
    return QuotaCounter(wide_redis, prefix=f"t{unique}:q")
