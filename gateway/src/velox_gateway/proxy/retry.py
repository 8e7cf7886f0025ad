"""Sending one request upstream, again after a connect failure when that is safe.

A retry is safe only when the service cannot have seen the request: the connection was
never made (refused, or not accepted in time) and no byte of the body was read. Even then
only idempotent methods are retried, so a POST or PATCH is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

import httpx

from velox_gateway.proxy.body import RequestBody

__all__ = ["IDEMPOTENT_METHODS", "RETRYABLE_ERRORS", "backoff_delay", "send_with_retries"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
)
_MAX_DELAY = 1.0

_log = logging.getLogger("velox.gateway.proxy")


def backoff_delay(attempt: int, base: float) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): doubling, jittered."""
    delay = min(_MAX_DELAY, base * 2.0 ** (attempt - 1))
    return delay * random.uniform(0.5, 1.0)


def _may_retry(method: str, body: RequestBody | None) -> bool:
    return method.upper() in IDEMPOTENT_METHODS and (body is None or not body.started)


async def send_with_retries(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    retries: int,
    backoff_seconds: float,
    body: RequestBody | None = None,
) -> httpx.Response:
    """Send ``build()`` with a streamed response, retrying connect failures when safe.

    Example::

        response = await send_with_retries(client, lambda: httpx.Request("GET", url),
                                           retries=2, backoff_seconds=0.05)
    """
    attempt = 0
    while True:
        request = build()
        try:
            return await client.send(request, stream=True)
        except RETRYABLE_ERRORS as exc:
            if attempt >= retries or not _may_retry(request.method, body):
                raise
            attempt += 1
            _log.info(
                "retrying upstream connect",
                extra={"url": str(request.url), "attempt": attempt, "error": type(exc).__name__},
            )
        await asyncio.sleep(backoff_delay(attempt, backoff_seconds))
