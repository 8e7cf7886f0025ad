"""What every benchmark needs: settings from the environment, servers, a scratch database.

Example::

    async with servers() as srv, scratch_database(srv.admin_url, "bench_x", "bx_") as url:
        versions = await server_versions(srv.admin_url, srv.redis_url)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from velox_devstack.components import COMPONENTS, Component
from velox_devstack.database import drop_roles, plain_dsn
from velox_devstack.embedded import EmbeddedPostgres, EmbeddedRedis, free_port

__all__ = [
    "Servers",
    "describe_servers",
    "env_number",
    "percentile",
    "scratch_database",
    "server_versions",
    "servers",
    "write_results",
]


def env_number(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment variable ``name``."""
    value = int(os.environ.get(name, default))
    if value < 1:
        raise SystemExit(f"{name} must be at least 1")
    return value


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(q / 100 * len(values) + 0.5)))
    return values[rank - 1]


@dataclass
class Servers:
    admin_url: str
    redis_url: str
    embedded: list[str]


@contextlib.asynccontextmanager
async def servers() -> AsyncIterator[Servers]:
    """The environment's servers, or embedded ones in a temporary folder."""
    db_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    with tempfile.TemporaryDirectory(prefix="velox-bench-") as tmp:
        postgres = None if db_url else EmbeddedPostgres(Path(tmp) / "pg", database="postgres")
        redis = None if redis_url else EmbeddedRedis(Path(tmp) / "redis", free_port())
        try:
            if postgres is not None:
                db_url = await asyncio.to_thread(postgres.start)
            if redis is not None:
                redis_url = await asyncio.to_thread(redis.start)
            assert db_url and redis_url
            embedded = [n for n, s in (("postgres", postgres), ("redis", redis)) if s is not None]
            yield Servers(db_url, redis_url, embedded)
        finally:
            if redis is not None:
                await asyncio.to_thread(redis.stop)
            if postgres is not None:
                await asyncio.to_thread(postgres.stop)


@contextlib.asynccontextmanager
async def scratch_database(
    admin_url: str,
    name: str,
    role_prefix: str,
    components: Sequence[Component] | None = None,
) -> AsyncIterator[str]:
    """A fresh database ``name`` (its admin URL); dropped after, with the roles under
    ``role_prefix`` of ``components`` (all of them when None)."""
    admin = await asyncpg.connect(plain_dsn(admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(plain_dsn(admin_url))
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await admin.close()
        await drop_roles(admin_url, role_prefix, tuple(components or COMPONENTS))


async def server_versions(admin_url: str, redis_url: str) -> dict[str, str]:
    """The versions of PostgreSQL, Redis and Python the figures were measured on."""
    conn = await asyncpg.connect(plain_dsn(admin_url))
    try:
        pg = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    client = Redis.from_url(redis_url)
    try:
        info: Any = await client.info("server")
        rv = str(info["redis_version"])
    finally:
        await client.aclose()
    return {"postgres": pg, "redis": rv, "python": platform.python_version()}


def write_results(path: Path, report: dict[str, Any]) -> None:
    """Write a benchmark's figures as JSON to ``path`` (under the git-ignored results)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def describe_servers(srv: Servers, versions: dict[str, str]) -> str:
    """ "2 CPUs, postgres 15.2, redis 7.0.15 (external servers)" for a benchmark's header."""
    where = ", ".join(f"{k} {versions[k]}" for k in ("postgres", "redis"))
    origin = "embedded: " + "+".join(srv.embedded) if srv.embedded else "external servers"
    return f"{os.cpu_count()} CPUs, {where} ({origin})"
