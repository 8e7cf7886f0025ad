"""The service app factory: every Velox service is this plus its routers and consumers.

Example (a service's whole ``app.py``)::

    def create_app() -> FastAPI:
        return create_service_app(ServiceSpec(name="commerce", title="Velox Commerce",
                                              settings=Settings(), events=events))
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from velox_shared.auth import PUBLIC_PATHS, IdentityMiddleware
from velox_shared.cache import Cache, create_cache
from velox_shared.db import create_engine, ping, session_factory
from velox_shared.errors import install_error_handlers, problem_response
from velox_shared.events import EventTables, OutboxRelay, StreamConsumer
from velox_shared.identity import IdentityVerifier
from velox_shared.logging import configure_logging
from velox_shared.observability import (
    RequestContextMiddleware,
    init_sentry,
    init_tracing,
    metrics_response,
)
from velox_shared.settings import ServiceSettings
from velox_shared.workers import BackgroundWorker, stop_tasks

__all__ = [
    "Runtime",
    "ServiceSpec",
    "consumer_name",
    "create_service_app",
    "health_router",
    "readiness",
]

_log = logging.getLogger("velox.app")


@dataclass
class Runtime:
    """The long-lived resources of one process, built in the lifespan."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    http: httpx.AsyncClient
    cache: Cache
    events: EventTables


@dataclass
class ServiceSpec:
    name: str
    title: str
    settings: ServiceSettings
    events: EventTables
    description: str = ""
    version: str = "0.1.0"
    routers: Sequence[APIRouter] = ()
    consumers: Callable[[Runtime], list[StreamConsumer]] | None = None
    # Other loops (schedulers, reporters), started and stopped like the consumers.
    workers: Callable[[Runtime], Sequence[BackgroundWorker]] | None = None
    extra_public_paths: frozenset[str] = field(default_factory=frozenset)
    # The gateway is the trust boundary: it authenticates callers itself.
    require_identity: bool = True
    readiness_extra: Callable[[Runtime], Awaitable[dict[str, str]]] | None = None
    # Extra per-process resources (built after the runtime, torn down before it).
    resources: Callable[[FastAPI, Runtime], contextlib.AbstractAsyncContextManager[None]] | None = (
        None
    )
    middleware: Sequence[tuple[type[Any], dict[str, Any]]] = ()
    # The gateway serves a merged document instead of FastAPI's own.
    own_openapi: bool = True


def health_router() -> APIRouter:
    """``/healthz`` (alive), ``/readyz`` (dependencies answer) and ``/metrics``."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness probe", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness probe", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        checks = await readiness(runtime)
        extra = request.app.state.readiness_extra
        if extra is not None:
            checks.update(await extra(runtime))
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ok", "checks": checks})
        return problem_response(
            503,
            "not-ready",
            "Not ready",
            "A dependency is unavailable",
            extensions={"checks": checks},
        )

    router.add_api_route("/metrics", metrics_response, include_in_schema=False)
    return router


async def readiness(runtime: Runtime, timeout: float = 2.0) -> dict[str, str]:
    """Check the database and Redis; each maps to ``"ok"`` or the error seen."""

    async def check(name: str, probe: Callable[[], object]) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe(), timeout)  # type: ignore[arg-type]
        except Exception as exc:
            return name, f"error: {type(exc).__name__}"
        return name, "ok"

    results = await asyncio.gather(
        check("database", lambda: ping(runtime.engine)),
        check("redis", lambda: runtime.redis.ping()),
    )
    return dict(results)


def _lifespan(
    spec: ServiceSpec,
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    settings = spec.settings
    schema = spec.name.replace("-", "_")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url, schema=schema, pool_size=settings.db_pool_size
        )
        redis = Redis.from_url(settings.redis_url, socket_timeout=5, health_check_interval=30)
        runtime = Runtime(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            redis=redis,
            http=httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0)),
            cache=_cache(settings, redis, spec.name),
            events=spec.events,
        )
        app.state.runtime = runtime
        relay = OutboxRelay(engine, redis, runtime.events, stream_maxlen=settings.stream_maxlen)
        consumers = spec.consumers(runtime) if spec.consumers else []
        tasks = [asyncio.create_task(relay.run(), name=f"{spec.name}-relay")]
        tasks += [asyncio.create_task(c.run(), name=f"{c.group}-consumer") for c in consumers]
        workers = list(spec.workers(runtime)) if spec.workers else []
        tasks += [asyncio.create_task(w.run(), name=f"{spec.name}-{w.name}") for w in workers]
        try:
            if spec.resources is not None:
                async with spec.resources(app, runtime):
                    yield
            else:
                yield
        finally:
            await stop_tasks(tasks, [relay, *consumers, *workers])
            await runtime.http.aclose()
            await runtime.cache.close()
            await redis.aclose()
            await engine.dispose()

    return lifespan


def _cache(settings: ServiceSettings, redis: Redis, prefix: str) -> Cache:
    token = settings.upstash_token.get_secret_value() if settings.upstash_token else None
    return create_cache(
        settings.cache_backend,
        prefix=f"velox:cache:{prefix}",
        redis=redis,
        upstash_url=settings.upstash_url,
        upstash_token=token,
    )


def consumer_name(service: str) -> str:
    """A consumer name unique to this process: ``<service>-<host>-<pid>``."""
    return f"{service}-{socket.gethostname()}-{os.getpid()}"


def create_service_app(spec: ServiceSpec) -> FastAPI:
    """Build a service app: lifespan resources, middleware, error handlers, probes, routers."""
    settings = spec.settings
    configure_logging(spec.name, settings.log_level)
    dsn = settings.sentry_dsn.get_secret_value() if settings.sentry_dsn else None
    init_sentry(dsn, environment=settings.environment, service=spec.name)
    init_tracing(settings.otel_endpoint, service=spec.name)
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=_lifespan(spec),
        redoc_url=None,
        openapi_url="/openapi.json" if spec.own_openapi else None,
        docs_url="/docs" if spec.own_openapi else None,
    )
    app.state.readiness_extra = spec.readiness_extra
    install_error_handlers(app)
    if spec.require_identity:
        verifier = IdentityVerifier(settings.identity_public_key, audience=spec.name)
        app.add_middleware(
            IdentityMiddleware,
            verifier=verifier,
            public_paths=PUBLIC_PATHS | spec.extra_public_paths,
        )
    for middleware, options in spec.middleware:
        app.add_middleware(middleware, **options)  # type: ignore[arg-type]
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    app.include_router(health_router())
    for router in spec.routers:
        app.include_router(router)
    return app
