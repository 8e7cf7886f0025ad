"""The cache interface behaves the same over Redis and over Upstash's REST protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from velox_shared.cache import Cache, RedisCache, UpstashCache, create_cache
from velox_shared.settings import PlatformSettings

from tests.conftest import loopback
from tests.shared.upstash_loopback import build_app

TOKEN = "loopback-token"


@pytest.fixture
async def upstash_url(redis: Redis) -> AsyncIterator[str]:
    async with loopback(build_app(redis, TOKEN)) as url:
        yield url


@pytest.fixture(params=["redis", "upstash"])
async def cache(
    request: pytest.FixtureRequest, redis: Redis, upstash_url: str, unique: str
) -> AsyncIterator[Cache]:
    if request.param == "redis":
        made = create_cache("redis", prefix=f"t{unique}", redis=redis)
        assert isinstance(made, RedisCache)
    else:
        made = create_cache(
            "upstash", prefix=f"t{unique}", upstash_url=upstash_url, upstash_token=TOKEN
        )
        assert isinstance(made, UpstashCache)
    yield made
    await made.close()
    keys = await redis.keys(f"t{unique}:*")
    if keys:
        await redis.delete(*keys)


async def test_values_round_trip_and_delete(cache: Cache, redis: Redis, unique: str) -> None:
    assert await cache.get("plan") is None
    await cache.set("plan", "pro ✓")
    assert await cache.get("plan") == "pro ✓"
    assert await redis.get(f"t{unique}:plan") == "pro ✓".encode()  # really in Redis
    await cache.delete("plan")
    assert await cache.get("plan") is None


async def test_expiry_is_set_on_the_real_key(cache: Cache, redis: Redis, unique: str) -> None:
    await cache.set("session", "x", ttl_seconds=100)
    assert 0 < await redis.ttl(f"t{unique}:session") <= 100


async def test_counters_increment_and_keep_their_first_expiry(
    cache: Cache, redis: Redis, unique: str
) -> None:
    assert [await cache.incr("hits", ttl_seconds=60) for _ in range(3)] == [1, 2, 3]
    assert 0 < await redis.ttl(f"t{unique}:hits") <= 60
    assert await cache.incr("plain") == 1
    assert await redis.ttl(f"t{unique}:plain") == -1


def test_upstash_backend_needs_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@h/d")
    monkeypatch.setenv("REDIS_URL", "redis://h")
    monkeypatch.setenv("VELOX_IDENTITY_PUBLIC_KEY", "k")
    monkeypatch.setenv("VELOX_CACHE", "upstash")
    with pytest.raises(ValueError, match="UPSTASH_REDIS_REST_URL"):
        PlatformSettings()
