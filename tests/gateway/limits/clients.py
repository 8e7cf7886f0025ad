"""Redis clients shaped like the gateway's hot-path one, for the tests and their workers."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def hot_client(url: str, *, timeout: float = 2.0, connections: int = 256) -> Redis:
    """Tight timeouts, no retries, and a pool wide enough for the test's concurrency."""
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        max_connections=connections,
    )


async def warm(client: Redis, connections: int) -> None:
    """Open ``connections`` pooled connections now, so a burst does not wait on connects."""
    await asyncio.gather(*(client.ping() for _ in range(connections)))
