"""``make run`` end to end: every process up, supervised, and stopped cleanly."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from redis.asyncio import Redis
from velox_devstack.embedded import free_port

from tests.conftest import DbInfo, Servers
from tests.e2e.stack import Stack

# Under pytest-xdist one worker runs every e2e test: their stacks start one at a time.
pytestmark = pytest.mark.e2e

SERVICES = {
    1: ("billing", "/v1/billing"),
    2: ("commerce", "/v1/commerce"),
    3: ("analytics", "/v1/analytics"),
    4: ("automation", "/v1/automation"),
    5: ("price-intel", "/v1/price-intel"),
    6: ("vin-intel", "/v1/vin"),
    7: ("trading", "/v1/trading"),
}


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, database: DbInfo, servers: Servers
) -> AsyncIterator[Stack]:
    """One stack for the module; the last test stops it with Ctrl-C."""
    running = Stack(
        tmp_path_factory.mktemp("stack"),
        {
            "DATABASE_URL": database.admin_url,
            "REDIS_URL": servers.redis_url,
            "VELOX_DB_ROLE_PREFIX": database.role_prefix,
            "VELOX_DB_POOL_SIZE": "2",  # see running_stack
        },
    )
    await running.start()
    yield running
    await running.kill()


async def test_every_service_starts_behind_the_gateway(stack: Stack) -> None:
    checks = await stack.wait_ready()
    assert checks == {"database": "ok", "redis": "ok", "catalog": "ok"} | {
        f"service:{name}": "ok" for name, _ in SERVICES.values()
    }
    async with httpx.AsyncClient(timeout=5) as client:
        for offset, (name, prefix) in SERVICES.items():
            assert (await client.get(stack.url(offset) + "/healthz")).status_code == 200
            direct = await client.get(stack.url(offset) + prefix + "/anything")
            assert direct.status_code == 401, name
            assert direct.headers["content-type"] == "application/problem+json"
            metrics = await client.get(stack.url(offset) + "/metrics")
            assert f'service="{name}"' in metrics.text


async def test_a_second_run_says_it_is_already_running(stack: Stack) -> None:
    await stack.wait_ready()
    second = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "velox_devstack",
        "run",
        env=stack.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(second.communicate(), 60)
    assert second.returncode == 1
    assert b"already running" in out


async def test_a_crashed_service_is_restarted_and_ctrl_c_leaves_no_orphans(stack: Stack) -> None:
    await stack.wait_ready()
    [commerce] = [p for p in stack.children() if "velox_commerce.app" in " ".join(p.cmdline())]
    commerce.kill()
    await stack.wait_ready()  # the gateway sees commerce ready again
    assert any("commerce" in line and "restarting" in line for line in stack.lines)
    children = stack.children()
    assert len(children) == 10  # the components, the loopback Stripe and the loopback vPIC
    assert await stack.interrupt() == 0
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
    assert any("all processes stopped" in line for line in stack.lines)


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the fresh-machine path: run by `make test` without DATABASE_URL (.ci/run does both)",
)
async def test_embedded_servers_start_keep_data_and_stop(tmp_path: Path) -> None:
    redis_port = free_port()
    env = {"VELOX_EMBEDDED_REDIS_PORT": str(redis_port)}
    first = Stack(tmp_path, env)
    await first.start()
    try:
        await first.wait_ready(timeout=180)
        redis = Redis(port=redis_port)
        await redis.set("e2e:marker", "kept")
        await redis.aclose()
        pg_pid = int((tmp_path / "postgres" / "postmaster.pid").read_text().split()[0])
        assert await first.interrupt() == 0
    finally:
        await first.kill()
    assert not psutil.pid_exists(pg_pid) or psutil.Process(pg_pid).status() == "zombie"
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()

    second = Stack(tmp_path, env)
    await second.start()
    try:
        await second.wait_ready(timeout=180)
        redis = Redis(port=redis_port)
        assert await redis.get("e2e:marker") == b"kept"
        await redis.aclose()
        socket_dir = (tmp_path / "postgres" / "postmaster.pid").read_text().splitlines()[4]
        conn = await asyncpg.connect(host=socket_dir, user="postgres", database="velox")
        try:
            assert await conn.fetchval("SELECT version_num FROM commerce.alembic_version")
        finally:
            await conn.close()
        assert await second.interrupt() == 0
    finally:
        await second.kill()
