"""A small cache interface with two backends chosen by settings.

``redis``: the process's Redis over RESP. ``upstash``: Upstash's REST protocol through the
``upstash-redis`` SDK, for deployments (serverless, edge) that cannot hold TCP connections.

Example::

    cache = create_cache("redis", prefix="gateway", redis=redis_client)
    await cache.set("plan:acc_1", "pro", ttl_seconds=300)
    await cache.get("plan:acc_1")  # "pro"
"""

from __future__ import annotations

from typing import Literal, Protocol

from redis.asyncio import Redis
from upstash_redis.asyncio import Redis as UpstashRedis

__all__ = ["Cache", "RedisCache", "UpstashCache", "create_cache"]


class Cache(Protocol):
    """String keys and values with optional expiry; keys are namespaced by the backend."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, *, ttl_seconds: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, *, ttl_seconds: int | None = None) -> int: ...

    async def close(self) -> None: ...


class RedisCache:
    """Cache on a ``redis.asyncio`` client (the caller owns the client)."""

    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + ":"

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set(self, key: str, value: str, *, ttl_seconds: int | None = None) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def incr(self, key: str, *, ttl_seconds: int | None = None) -> int:
        # SET NX EX creates the key with its expiry once; INCR keeps it (Redis >= 2.6).
        async with self._redis.pipeline(transaction=True) as pipe:
            if ttl_seconds is not None:
                pipe.set(self._prefix + key, 0, ex=ttl_seconds, nx=True)
            pipe.incr(self._prefix + key)
            results = await pipe.execute()
        return int(results[-1])

    async def close(self) -> None:
        return None


class UpstashCache:
    """Cache over the Upstash REST API."""

    def __init__(self, client: UpstashRedis, *, prefix: str) -> None:
        self._client = client
        self._prefix = prefix + ":"

    async def get(self, key: str) -> str | None:
        value = await self._client.get(self._prefix + key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str, *, ttl_seconds: int | None = None) -> None:
        await self._client.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._client.delete(self._prefix + key)

    async def incr(self, key: str, *, ttl_seconds: int | None = None) -> int:
        pipe = self._client.multi()
        if ttl_seconds is not None:
            pipe.set(self._prefix + key, "0", ex=ttl_seconds, nx=True)
        pipe.incr(self._prefix + key)
        results = await pipe.exec()
        return int(str(results[-1]))

    async def close(self) -> None:
        await self._client.close()


def create_cache(
    backend: Literal["redis", "upstash"],
    *,
    prefix: str,
    redis: Redis | None = None,
    upstash_url: str | None = None,
    upstash_token: str | None = None,
) -> Cache:
    """Build the configured backend; ``redis`` needs a client, ``upstash`` a URL and token."""
    if backend == "upstash":
        if not (upstash_url and upstash_token):
            raise ValueError("the upstash cache needs a REST URL and token")
        client = UpstashRedis(url=upstash_url, token=upstash_token, allow_telemetry=False)
        return UpstashCache(client, prefix=prefix)
    if redis is None:
        raise ValueError("the redis cache needs a Redis client")
    return RedisCache(redis, prefix=prefix)
