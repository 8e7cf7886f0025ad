"""100 MB each way through a real gateway server without holding the body in memory."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from velox_gateway.proxy import ServiceRoute

from tests.conftest import Keys, loopback
from tests.gateway.proxy.support import Upstream, gateway_app, make_proxy, zeros

SIZE = 100 * 1024 * 1024
# Far below the 100 MB that buffering anywhere in the chain would show.
PEAK_LIMIT = 20 * 1024 * 1024


@asynccontextmanager
async def served_gateway(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> AsyncIterator[httpx.AsyncClient]:
    proxy = make_proxy(upstream_client, keys, ServiceRoute("echo", upstream.url, timeout=30.0))
    async with (
        loopback(gateway_app(proxy)) as url,
        httpx.AsyncClient(base_url=url, timeout=30.0) as client,
    ):
        yield client


async def peak_growth(work: Callable[[], Awaitable[None]]) -> int:
    """Peak traced memory above the starting point while ``work`` runs."""
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        await work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - baseline


async def test_100_mb_upload_streams_through_with_bounded_memory(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    async with served_gateway(upstream, upstream_client, keys) as client:
        responses: list[httpx.Response] = []

        async def upload() -> None:
            responses.append(await client.put("/echo/blobs/1", content=zeros(SIZE)))

        started = time.perf_counter()
        growth = await peak_growth(upload)
        elapsed = time.perf_counter() - started
    [response] = responses
    assert response.status_code == 200, response.text
    assert response.json()["size"] == SIZE
    assert upstream.last.size == SIZE
    assert upstream.last.header("transfer-encoding") == ["chunked"]
    assert growth < PEAK_LIMIT, f"peak grew {growth / 2**20:.1f} MiB in {elapsed:.1f}s"


async def test_100_mb_download_streams_through_with_bounded_memory(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    async with served_gateway(upstream, upstream_client, keys) as client:
        received: list[int] = []

        async def download() -> None:
            async with client.stream("GET", f"/echo/download/{SIZE}") as response:
                assert response.status_code == 200
                assert response.headers["content-length"] == str(SIZE)
                total = 0
                async for chunk in response.aiter_raw():
                    total += len(chunk)
                received.append(total)

        started = time.perf_counter()
        growth = await peak_growth(download)
        elapsed = time.perf_counter() - started
    assert received == [SIZE]
    assert growth < PEAK_LIMIT, f"peak grew {growth / 2**20:.1f} MiB in {elapsed:.1f}s"


async def test_client_leaving_mid_download_stops_the_upstream_transfer(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    async with served_gateway(upstream, upstream_client, keys) as client:
        async with client.stream("GET", f"/echo/download/{SIZE}") as response:
            received = 0
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received >= 1024 * 1024:
                    break
        await asyncio.wait_for(upstream.download_ended.wait(), timeout=5)
    # Only what was in flight in socket buffers was sent, not the rest of the 100 MB.
    assert upstream.download_sent < SIZE // 4
