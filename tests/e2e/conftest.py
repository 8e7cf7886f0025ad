"""One running stack shared by the service flows (VIN intelligence, commerce): a stack
costs about 40 s to start, so flows that need no special catalogue share one."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from redis.asyncio import Redis
from velox_devstack.database import plain_dsn

from tests.conftest import DbInfo, Servers
from tests.e2e.stack import Stack, running_stack, write_catalogue


def keep_catalogue(families: dict[str, Any]) -> None:
    """The shipped plans as they are (VIN free: 10 decodes a month; commerce free: 50
    orders)."""


@pytest.fixture(scope="package")
async def services_stack(
    tmp_path_factory: pytest.TempPathFactory, database: DbInfo, servers: Servers
) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("services")
    prefix = f"test:vin-intel:vpic:{secrets.token_hex(4)}:"
    plans = write_catalogue(tmp, keep_catalogue)
    env = {
        "VIN_INTEL_VPIC_CACHE_PREFIX": prefix,
        "VIN_INTEL_JOB_POLL_SECONDS": "0.2",
    }
    async with running_stack(tmp, database, servers, plans, env) as running:
        yield running
    redis = Redis.from_url(servers.redis_url)
    try:
        keys = [k async for k in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
    # The 90-day copies of vPIC's answers are in the session's database, which later tests
    # share: they must not find this stack's answers there.
    admin = await asyncpg.connect(plain_dsn(database.admin_url))
    try:
        await admin.execute("DELETE FROM vin_intel.vpic_cache")
    finally:
        await admin.close()
