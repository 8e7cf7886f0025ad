"""The proxy's transport (httpx over aiohttp): nothing added, nothing kept, failures told apart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from velox_devstack.embedded import free_port
from velox_gateway.proxy import ServiceRoute

from tests.conftest import Keys
from tests.gateway.proxy.support import Upstream, in_process, make_proxy, problem_type


async def test_the_service_sees_the_callers_headers_and_none_the_transport_made_up(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, ServiceRoute("echo", upstream.url))
    async with in_process(proxy) as client:
        for name in ("accept", "accept-encoding", "user-agent"):
            del client.headers[name]
        response = await client.get("/echo/plain", headers={"x-partner": "p1"})
    assert response.status_code == 200
    seen = upstream.last
    assert seen.header("x-partner") == ["p1"]
    # A response must never come back compressed for a caller that did not ask for it.
    for name in ("accept", "accept-encoding", "user-agent"):
        assert seen.header(name) == [], name


async def test_a_service_cookie_is_never_sent_on_the_next_callers_request(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, ServiceRoute("echo", upstream.url))
    async with in_process(proxy) as client:
        first = await client.get("/echo/teapot")
        assert first.headers.get_list("set-cookie")
        client.cookies.clear()
        await client.get("/echo/after")
    assert upstream.last.header("cookie") == []


async def test_a_refused_connection_is_reported_as_unreachable(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("commerce", f"http://127.0.0.1:{free_port()}", retries=0)
    proxy = make_proxy(upstream_client, keys, route)
    async with in_process(proxy) as client:
        response = await client.get("/commerce/orders")
    assert response.status_code == 503
    assert problem_type(response) == "service-unavailable"
    assert response.json()["detail"] == "The commerce service is unreachable."


@asynccontextmanager
async def hanging_up_service(answer: bytes = b"") -> AsyncIterator[tuple[str, list[bytes]]]:
    """A service that reads a request, writes ``answer`` and closes the connection."""
    requests: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", requests
    finally:
        server.close()
        await server.wait_closed()


async def test_a_service_that_hangs_up_is_a_502_and_is_not_asked_again(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    async with hanging_up_service() as (url, requests):
        proxy = make_proxy(upstream_client, keys, ServiceRoute("flaky", url))
        async with in_process(proxy) as client:
            got = await client.get("/flaky/orders")
            put = await client.put("/flaky/orders/1", content=_chunks(b"x" * 1000, 20))
    for response in (got, put):
        assert response.status_code == 502
        assert problem_type(response) == "bad-gateway"
        assert "flaky" in response.json()["detail"]
    # The service saw each request: even a GET or a PUT is not sent twice.
    assert len(requests) == 2
    assert proxy.breaker("flaky").consecutive_failures == 2


async def _chunks(chunk: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield chunk


async def test_a_small_answer_cut_short_is_a_502_not_a_truncated_200(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this much"
    async with hanging_up_service(cut) as (url, requests):
        proxy = make_proxy(upstream_client, keys, ServiceRoute("flaky", url))
        async with in_process(proxy) as client:
            response = await client.get("/flaky/orders")
    assert response.status_code == 502
    assert problem_type(response) == "bad-gateway"
    assert len(requests) == 1
