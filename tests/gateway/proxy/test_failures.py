"""A failing service gives a fast problem answer, never a hang or a 500; limits hold."""

from __future__ import annotations

import asyncio
import time

import httpx
from velox_devstack.embedded import free_port
from velox_gateway.proxy import BreakerState, ServiceRoute

from tests.conftest import Keys
from tests.gateway.proxy.support import Upstream, in_process, make_proxy, problem_type, zeros


async def test_service_that_is_down_answers_503_quickly(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("commerce", f"http://127.0.0.1:{free_port()}")
    proxy = make_proxy(upstream_client, keys, route)
    async with in_process(proxy) as client:
        started = time.perf_counter()
        got = await client.get("/commerce/orders")
        posted = await client.post("/commerce/orders", json={"sku": "x"})
        elapsed = time.perf_counter() - started
    for response in (got, posted):
        assert response.status_code == 503
        assert problem_type(response) == "service-unavailable"
        assert "commerce" in response.json()["detail"]
        assert response.json()["service"] == "commerce"
    assert elapsed < 2.0


async def test_service_slower_than_the_read_timeout_answers_504(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("slow", upstream.url, timeout=httpx.Timeout(5.0, read=0.3))
    proxy = make_proxy(upstream_client, keys, route)
    async with in_process(proxy) as client:
        started = time.perf_counter()
        response = await client.get("/slow/slow")
        elapsed = time.perf_counter() - started
    assert response.status_code == 504
    assert problem_type(response) == "service-timeout"
    assert "slow" in response.json()["detail"]
    assert elapsed < 2.0
    assert len(upstream.seen) == 1, "a read timeout is not retried"
    assert proxy.breaker("slow").consecutive_failures == 1


async def test_body_declared_over_the_limit_is_refused_with_413_before_forwarding(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(
        upstream_client, keys, ServiceRoute("echo", upstream.url), max_body_bytes=1024
    )
    async with in_process(proxy) as client:
        response = await client.post("/echo/upload", content=bytes(2048))
        fits = await client.post("/echo/upload", content=bytes(1024))
    assert response.status_code == 413
    assert problem_type(response) == "payload-too-large"
    assert response.json()["max_bytes"] == 1024
    assert fits.status_code == 200
    assert [s.size for s in upstream.seen] == [1024]


async def test_chunked_body_over_the_limit_is_cut_off_with_413(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(
        upstream_client, keys, ServiceRoute("echo", upstream.url), max_body_bytes=100_000
    )
    async with in_process(proxy) as client:
        response = await client.post("/echo/upload", content=zeros(1_000_000))
    assert response.status_code == 413
    assert problem_type(response) == "payload-too-large"
    # The client's mistake says nothing about the service's health.
    assert proxy.breaker("echo").state is BreakerState.CLOSED
    assert proxy.breaker("echo").consecutive_failures == 0


async def test_breaker_opens_after_failures_then_fails_fast_without_calling_the_service(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("flaky", upstream.url)
    proxy = make_proxy(upstream_client, keys, route, breaker_failures=2, breaker_reset_seconds=5)
    upstream.status = 503
    async with in_process(proxy) as client:
        first = await client.get("/flaky/status")
        second = await client.get("/flaky/status")
        blocked = await client.get("/flaky/status")
    # The service's own 503s pass through unchanged; they count as failures.
    assert [first.json(), second.json()] == [{"from": "upstream"}] * 2
    assert blocked.status_code == 503
    assert problem_type(blocked) == "service-circuit-open"
    assert "flaky" in blocked.json()["detail"]
    assert 1 <= int(blocked.headers["retry-after"]) <= 5
    assert len(upstream.seen) == 2
    assert proxy.breaker_states() == {"flaky": BreakerState.OPEN}


async def test_breaker_half_opens_after_the_cool_down_and_closes_on_success(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("flaky", upstream.url)
    proxy = make_proxy(upstream_client, keys, route, breaker_failures=1, breaker_reset_seconds=0.3)
    upstream.status = 502
    async with in_process(proxy) as client:
        await client.get("/flaky/status")
        assert (await client.get("/flaky/status")).status_code == 503
        await asyncio.sleep(0.35)
        assert proxy.breaker_states() == {"flaky": BreakerState.HALF_OPEN}
        upstream.status = 200
        probe = await client.get("/flaky/status")
        after = await client.get("/flaky/status")
    assert (probe.status_code, after.status_code) == (200, 200)
    assert len(upstream.seen) == 3
    assert proxy.breaker_states() == {"flaky": BreakerState.CLOSED}


async def test_half_open_breaker_lets_one_probe_through_at_a_time(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("flaky", upstream.url)
    proxy = make_proxy(upstream_client, keys, route, breaker_failures=1, breaker_reset_seconds=0.2)
    upstream.status = 504
    async with in_process(proxy) as client:
        await client.get("/flaky/status")
        await asyncio.sleep(0.25)
        probe = asyncio.create_task(client.get("/flaky/slow"))
        while len(upstream.seen) < 2:
            await asyncio.sleep(0.01)
        meanwhile = await client.get("/flaky/status")
        upstream.release.set()
        assert (await probe).status_code == 200
    assert problem_type(meanwhile) == "service-circuit-open"
    assert len(upstream.seen) == 2
    assert proxy.breaker_states() == {"flaky": BreakerState.CLOSED}


async def test_breaker_opens_on_connection_failures_and_says_when_to_retry(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    route = ServiceRoute("commerce", f"http://127.0.0.1:{free_port()}", retries=0)
    proxy = make_proxy(upstream_client, keys, route, breaker_failures=3, breaker_reset_seconds=7)
    async with in_process(proxy) as client:
        answers = [await client.get("/commerce/orders") for _ in range(4)]
    kinds = [problem_type(r) for r in answers]
    assert kinds == ["service-unavailable"] * 3 + ["service-circuit-open"]
    assert answers[-1].headers["retry-after"] == "7"
    assert "retry-after" not in answers[0].headers
