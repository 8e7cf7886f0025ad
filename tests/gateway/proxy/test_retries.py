"""Connect failures are retried only when the service cannot have seen the request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from velox_gateway.proxy import IDEMPOTENT_METHODS, ServiceRoute

from tests.conftest import Keys
from tests.gateway.proxy.support import in_process, make_proxy, problem_type

Failure = Callable[[httpx.Request], Exception]


class FlakyTransport(httpx.MockTransport):
    """Fails the first ``failures`` attempts with ``error``, then answers 200."""

    def __init__(self, failures: int, error: Failure) -> None:
        self.attempts: list[httpx.Request] = []
        self.failures = failures
        self.error = error
        super().__init__(self.answer)

    async def answer(self, request: httpx.Request) -> httpx.Response:
        self.attempts.append(request)
        if len(self.attempts) <= self.failures:
            raise self.error(request)
        body = b'{"attempt": %d}' % len(self.attempts)
        return httpx.Response(200, headers={"content-type": "application/json"}, stream=Once(body))


class Once(httpx.AsyncByteStream):
    """A body that arrives as a stream, like a real service's (not pre-read by httpx)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body


def refused(request: httpx.Request) -> Exception:
    return httpx.ConnectError("connection refused", request=request)


def connect_timeout(request: httpx.Request) -> Exception:
    return httpx.ConnectTimeout("connect timed out", request=request)


def read_timeout(request: httpx.Request) -> Exception:
    return httpx.ReadTimeout("read timed out", request=request)


@asynccontextmanager
async def gateway_over(
    transport: FlakyTransport, keys: Keys, retries: int = 2
) -> AsyncIterator[httpx.AsyncClient]:
    route = ServiceRoute("svc", "http://svc.internal", retries=retries, backoff_seconds=0.01)
    async with (
        httpx.AsyncClient(transport=transport) as upstream_client,
        in_process(make_proxy(upstream_client, keys, route)) as client,
    ):
        yield client


@pytest.mark.parametrize("method", sorted(IDEMPOTENT_METHODS))
async def test_idempotent_request_is_retried_after_a_refused_connection(
    method: str, keys: Keys
) -> None:
    transport = FlakyTransport(1, refused)
    async with gateway_over(transport, keys) as client:
        response = await client.request(method, "/svc/items/1")
    assert response.status_code == 200
    assert len(transport.attempts) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_non_idempotent_request_is_never_retried(method: str, keys: Keys) -> None:
    transport = FlakyTransport(1, refused)
    async with gateway_over(transport, keys) as client:
        response = await client.request(method, "/svc/items", json={"n": 1})
    assert response.status_code == 503
    assert problem_type(response) == "service-unavailable"
    assert len(transport.attempts) == 1


async def test_request_whose_body_was_read_is_not_retried(keys: Keys) -> None:
    # The mock transport reads the body before failing, as a service that broke off
    # mid-request would have: even a PUT must not be sent twice then.
    transport = FlakyTransport(1, refused)
    async with gateway_over(transport, keys) as client:
        response = await client.put("/svc/items/1", content=b"payload")
    assert response.status_code == 503
    assert len(transport.attempts) == 1


async def test_connect_timeout_is_retried(keys: Keys) -> None:
    transport = FlakyTransport(2, connect_timeout)
    async with gateway_over(transport, keys) as client:
        response = await client.get("/svc/items")
    assert response.json() == {"attempt": 3}


async def test_retries_stop_after_the_route_budget(keys: Keys) -> None:
    transport = FlakyTransport(10, connect_timeout)
    async with gateway_over(transport, keys, retries=2) as client:
        response = await client.get("/svc/items")
    assert response.status_code == 503
    assert "did not accept a connection" in response.json()["detail"]
    assert len(transport.attempts) == 3


async def test_read_timeout_is_not_retried(keys: Keys) -> None:
    transport = FlakyTransport(1, read_timeout)
    async with gateway_over(transport, keys) as client:
        response = await client.get("/svc/items")
    assert response.status_code == 504
    assert problem_type(response) == "service-timeout"
    assert len(transport.attempts) == 1


async def test_every_attempt_carries_the_identity_token(keys: Keys) -> None:
    transport = FlakyTransport(1, refused)
    async with gateway_over(transport, keys) as client:
        await client.get("/svc/items")
    tokens = [a.headers.get("x-velox-identity") for a in transport.attempts]
    assert len(tokens) == 2
    assert all(tokens)
