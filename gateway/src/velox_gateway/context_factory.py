"""Building the gateway's per-process resources from settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from velox_shared.app import Runtime
from velox_shared.identity import IdentitySigner

from velox_gateway.access.policy import RoutePolicy
from velox_gateway.accounts.plans import PlanResolver
from velox_gateway.apikeys.service import KeySecrets
from velox_gateway.apikeys.verify import KeyVerifier
from velox_gateway.auth.mail import LogMailSender
from velox_gateway.catalog import CatalogHolder
from velox_gateway.config import Settings
from velox_gateway.context import GatewayContext
from velox_gateway.limits import QuotaCounter, RateLimiter
from velox_gateway.openapi import OpenAPIAggregator
from velox_gateway.proxy import ServiceProxy, ServiceRoute
from velox_gateway.proxy.transport import upstream_transport
from velox_gateway.security.tokens import AccessTokens


@asynccontextmanager
async def build_context(
    settings: Settings, runtime: Runtime, catalogs: CatalogHolder
) -> AsyncIterator[GatewayContext]:
    # The hot path gets its own Redis client with tight timeouts: a slow Redis must turn
    # into a degraded decision within milliseconds, not hang the request.
    # A blocking pool queues beyond its size (the default pool raises instead), and one
    # quick retry replaces redis-py's default of ten with backoff.
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=512,
        timeout=0.5,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
    )
    hot_redis = Redis(connection_pool=pool, retry=Retry(NoBackoff(), 1))
    # trust_env off: services are reached directly, never through an HTTP_PROXY from the
    # environment (and the client skips matching every URL against proxy mounts).
    upstream = httpx.AsyncClient(
        transport=upstream_transport(max_connections=512),
        timeout=httpx.Timeout(30.0, connect=2.0),
        trust_env=False,
    )
    pepper = settings.api_key_pepper.get_secret_value()
    routes = {
        name: ServiceRoute(name=name, base_url=url) for name, url in settings.service_urls.items()
    }
    context = GatewayContext(
        settings=settings,
        runtime=runtime,
        catalogs=catalogs,
        policy=RoutePolicy.load(settings.route_policy_file),
        tokens=AccessTokens(
            settings.session_secret.get_secret_value(), settings.access_token_ttl_seconds
        ),
        key_secrets=KeySecrets(pepper=pepper, environment=settings.key_environment),
        keys=KeyVerifier(hot_redis, runtime.sessions, pepper),
        plans=PlanResolver(catalogs, hot_redis, runtime.sessions),
        rate=RateLimiter(hot_redis),
        quotas=QuotaCounter(hot_redis),
        proxy=ServiceProxy(
            upstream,
            routes,
            IdentitySigner(settings.identity_private_key.get_secret_value()),
            max_body_bytes=settings.max_body_bytes,
        ),
        openapi=OpenAPIAggregator(runtime.http, settings.service_urls),
        mail=LogMailSender(),
    )
    try:
        yield context
    finally:
        await upstream.aclose()
        await hot_redis.aclose()
        await pool.aclose()
