"""vin-intel test helpers: the real app against the test servers, identities, cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_shared.db import create_engine

from tests.conftest import DbInfo, Keys, serve

VinClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def vin_db(database: DbInfo) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url_for("vin-intel"), schema="vin_intel")
    yield engine
    await engine.dispose()


@pytest.fixture
async def accounts(vin_db: AsyncEngine, unique: str) -> AsyncIterator[Callable[[str], str]]:
    """Account ids for this test (``accounts("a")``); their rows are deleted afterwards."""
    made: list[str] = []

    def account(name: str) -> str:
        made.append(f"acc_{unique}_{name}")
        return made[-1]

    yield account
    async with vin_db.begin() as conn:
        await conn.execute(
            text("DELETE FROM vin_intel.decodes WHERE account_id = ANY(:a)"), {"a": made}
        )


@pytest.fixture
def vin_client(
    component_app: Callable[[str], FastAPI],
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
) -> VinClient:
    """``async with vin_client(account, vpic=URL | None) as client``: the real app in-process."""

    @asynccontextmanager
    async def open_client(
        account: str, *, vpic: str | None = None, **env: str
    ) -> AsyncIterator[httpx.AsyncClient]:
        monkeypatch.setenv("VIN_INTEL_VPIC_ENABLED", "true" if vpic else "false")
        monkeypatch.setenv("VIN_INTEL_VPIC_BASE_URL", vpic or "http://127.0.0.1:9")
        monkeypatch.setenv("VIN_INTEL_WARM_SNAPSHOT", "false")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        app = component_app("vin-intel")
        async with serve(app) as client:
            client.headers["X-Velox-Identity"] = keys.token("vin-intel", account=account)
            yield client

    return open_client


async def wait_for_history(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    """The account's history once it holds ``count`` decodes (it is written behind)."""
    for _ in range(100):
        items: list[dict[str, Any]] = (await client.get("/v1/vin/history")).json()["items"]
        if len(items) >= count:
            return items
        await asyncio.sleep(0.02)
    raise AssertionError(f"history has {len(items)} decodes, not {count}")
