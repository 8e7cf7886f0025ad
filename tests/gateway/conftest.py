"""Gateway fixtures: the real gateway app in-process, and cleanup of what tests create."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from velox_devstack.database import plain_dsn

from tests.conftest import DbInfo, serve


@dataclass
class Tenants:
    """Makes users with emails under one test-specific domain, and deletes them after."""

    client: httpx.AsyncClient
    domain: str

    def email(self, name: str) -> str:
        return f"{name}@{self.domain}"

    async def signup(self, name: str, password: str = "correct horse battery") -> dict[str, str]:
        response = await self.client.post(
            "/v1/auth/signup",
            json={"email": self.email(name), "password": password, "account_name": name},
        )
        assert response.status_code == 201, response.text
        body: dict[str, str] = response.json()
        return body

    async def key(self, access_token: str, **body: object) -> dict[str, object]:
        response = await self.client.post(
            "/v1/api-keys",
            json={"name": "test", **body},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        assert response.status_code == 201, response.text
        created: dict[str, object] = response.json()
        return created


@pytest.fixture
async def gateway(component_app: Callable[[str], FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(component_app("gateway")) as client:
        yield client


@pytest.fixture
async def tenants(
    gateway: httpx.AsyncClient, database: DbInfo, unique: str, redis: Redis
) -> AsyncIterator[Tenants]:
    made = Tenants(gateway, f"t{unique}.example.com")
    yield made
    conn = await asyncpg.connect(plain_dsn(database.url_for("gateway")))
    try:
        accounts = await conn.fetch(
            "SELECT m.account_id FROM gateway.memberships m JOIN gateway.users u "
            "ON u.id = m.user_id WHERE u.email LIKE $1",
            f"%@{made.domain}",
        )
        ids = [r["account_id"] for r in accounts]
        await conn.execute("DELETE FROM gateway.accounts WHERE id = ANY($1)", ids)
        await conn.execute("DELETE FROM gateway.users WHERE email LIKE $1", f"%@{made.domain}")
    finally:
        await conn.close()
    for pattern in (
        "velox:gw:login-failures:*",
        "LIMITS:LIMITER/velox:gw:auth-ip*",
        "velox:rl*",
        "velox:quota*",
    ):
        keys = [k async for k in redis.scan_iter(match=pattern)]
        if keys:
            await redis.delete(*keys)
