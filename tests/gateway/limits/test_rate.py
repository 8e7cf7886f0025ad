"""The Redis rate limiter: exact under concurrency and across processes, degraded when down."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from velox_gateway.limits import RateLimiter

from tests.conftest import Servers
from tests.gateway.limits.clients import hot_client, warm

ROOT = Path(__file__).resolve().parents[3]


async def test_concurrent_requests_admit_exactly_the_burst(
    limiter: RateLimiter, wide_redis: Redis
) -> None:
    await warm(wide_redis, 200)
    decisions = await asyncio.gather(
        *(limiter.check("burst", per_minute=100, burst=100) for _ in range(200))
    )
    assert sum(d.allowed for d in decisions) == 100
    assert not any(d.degraded for d in decisions)


async def test_two_processes_sharing_redis_admit_the_burst_once(
    servers: Servers, wide_redis: Redis, unique: str
) -> None:
    args = [servers.redis_url, f"t{unique}:rl", "shared", "100", "100", "100"]
    workers = [await _start_worker(args) for _ in range(2)]
    try:
        for worker in workers:
            assert await _line(worker) == "ready"
        for worker in workers:  # both are connected and waiting: fire together
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        results = [json.loads(await _line(worker)) for worker in workers]
        assert [await worker.wait() for worker in workers] == [0, 0]
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert sum(r["admitted"] for r in results) == 100
    assert sum(r["degraded"] for r in results) == 0


async def test_waiting_refills_in_proportion_never_a_second_burst(limiter: RateLimiter) -> None:
    rule = {"per_minute": 600, "burst": 10}  # one slot per 100 ms
    for _ in range(100):
        exhausted_at = time.monotonic()
        if not (await limiter.check("edge", **rule)).allowed:
            break
    await asyncio.sleep(0.25)
    probes = [await limiter.check("edge", **rule) for _ in range(10)]
    elapsed = time.monotonic() - exhausted_at
    admitted = sum(d.allowed for d in probes)
    # Under one slot was left when denied; one more per 100 ms since (3 when on time).
    assert 1 <= admitted <= 1 + elapsed / 0.1
    assert admitted < 10
    assert not probes[-1].allowed


async def test_decisions_carry_the_header_figures(
    limiter: RateLimiter, redis: Redis, unique: str
) -> None:
    decisions = [await limiter.check("headers", per_minute=60, burst=3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert {d.limit for d in decisions} == {60}
    assert decisions[0].retry_after == 0
    assert 0.9 <= decisions[0].reset_after <= 1.0
    denied = decisions[3]
    assert 0 < denied.retry_after <= 1.0
    assert 2.0 < denied.reset_after <= 3.0
    # The state is one key living exactly until the bucket is full again.
    assert 2_000 < await redis.pttl(f"t{unique}:rl:headers") <= 3_000


async def test_check_many_denies_without_consuming_the_other_limits(
    limiter: RateLimiter,
) -> None:
    per_key, per_account = ("key:k1", 60, 5), ("account:a1", 30, 2)
    admitted = [await limiter.check_many([per_key, per_account]) for _ in range(2)]
    assert [(d.allowed, d.limit, d.remaining) for d in admitted] == [(True, 30, 1), (True, 30, 0)]
    for _ in range(3):
        denied = await limiter.check_many([per_key, per_account])
        assert (denied.allowed, denied.limit) == (False, 30)
        assert 0 < denied.retry_after <= 2.0
    # Three denials later the per-key limit still has 5 - 2 slots; this takes one.
    alone = await limiter.check(per_key[0], per_minute=60, burst=5)
    assert (alone.allowed, alone.remaining) == (True, 2)


async def test_a_server_that_forgot_the_script_gets_it_again(limiter: RateLimiter) -> None:
    limiter._script.sha = "0" * 40  # what EVALSHA meets after a restart or SCRIPT FLUSH
    decision = await limiter.check("noscript", per_minute=60, burst=2)
    assert (decision.allowed, decision.degraded) == (True, False)


async def test_unreachable_redis_degrades_to_an_enforced_local_limit(
    dead_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(dead_redis, recheck_after=0)  # try Redis on every call
    with caplog.at_level(logging.WARNING, logger="velox.gateway.limits"):
        decisions = [await limiter.check("down", per_minute=60, burst=3) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert all(d.degraded for d in decisions)
    assert decisions[-1].retry_after > 0
    assert "Redis call failed" in caplog.text
    both = [("down", 60, 3), ("other", 60, 3)]
    denied = await limiter.check_many(both)
    assert (denied.allowed, denied.degraded) == (False, True)
    assert (await limiter.check("other", per_minute=60, burst=3)).remaining == 2


async def test_a_hanging_redis_costs_one_timeout_then_decides_locally(
    hanging_redis: tuple[str, list[asyncio.StreamWriter]],
) -> None:
    url, connections = hanging_redis
    client = hot_client(url, timeout=0.1)
    try:
        limiter = RateLimiter(client, recheck_after=60)
        decisions = [await limiter.check("hang", per_minute=60, burst=2) for _ in range(4)]
        assert len(connections) == 1  # only the first call went to Redis
        retrying = RateLimiter(client, recheck_after=0)
        for _ in range(2):
            assert (await retrying.check("hang", per_minute=60, burst=2)).degraded
        assert len(connections) == 3
    finally:
        await client.aclose()
    assert [d.allowed for d in decisions] == [True, True, False, False]
    assert all(d.degraded for d in decisions)


@pytest.mark.parametrize(
    ("rules", "cost", "message"),
    [
        ([], 1, "at least one limit"),
        ([("k", 60, 5), ("k", 60, 5)], 1, "once per decision"),
        ([("k", 60, 5)], 0, "cost must be"),
        ([("k", 60, 5)], 6, "exceeds a burst"),
        ([("k", 0, 5)], 1, "per_minute must be"),
    ],
)
async def test_limits_that_cannot_work_are_refused(
    limiter: RateLimiter, rules: list[tuple[str, int, int]], cost: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await limiter.check_many(rules, cost=cost)


@pytest.fixture
async def hanging_redis() -> AsyncIterator[tuple[str, list[asyncio.StreamWriter]]]:
    """A TCP server that accepts connections and never answers, like a wedged Redis."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0", connections
    server.close()
    for writer in connections:
        writer.close()
    await server.wait_closed()


async def _start_worker(args: list[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.gateway.limits.burst_worker",
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _line(worker: asyncio.subprocess.Process) -> str:
    assert worker.stdout is not None
    raw = await asyncio.wait_for(worker.stdout.readline(), timeout=30)
    return raw.decode().strip()
