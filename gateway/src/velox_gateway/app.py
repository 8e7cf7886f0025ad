"""ASGI entry point: ``uvicorn velox_gateway.app:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from slowapi.errors import RateLimitExceeded
from starlette.responses import Response
from velox_shared.app import Runtime, ServiceSpec, create_service_app

from velox_gateway import NAME
from velox_gateway.access.pipeline import handle
from velox_gateway.access.route import FamilyRoute
from velox_gateway.accounts.endpoints import router as accounts_router
from velox_gateway.accounts.events import billing_consumer
from velox_gateway.apikeys.endpoints import router as api_keys_router
from velox_gateway.auth.endpoints import build_router as build_auth_router
from velox_gateway.auth.throttle import make_limiter, on_rate_limit_exceeded
from velox_gateway.catalog import CatalogHolder, CatalogWatcher, load_stored_catalog
from velox_gateway.config import SERVICE_PREFIXES, Settings
from velox_gateway.context import GatewayContext
from velox_gateway.context_factory import build_context
from velox_gateway.db.models import events
from velox_gateway.deps import ContextDep
from velox_gateway.health import ready
from velox_gateway.members.endpoints import router as members_router
from velox_gateway.openapi import swagger_ui
from velox_gateway.security.body_limit import OwnBodyLimitMiddleware
from velox_gateway.security.headers import SecurityHeadersMiddleware
from velox_gateway.usage.service_events import service_usage_consumer


async def _proxied(request: Request) -> Response:
    context: GatewayContext = request.app.state.gateway
    return await handle(request, context)


def _docs_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi(request: Request, context: ContextDep) -> JSONResponse:
        document = await context.openapi.document(request.app.openapi())
        return JSONResponse(document)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return swagger_ui()

    return router


def create_app() -> FastAPI:
    settings = Settings()
    catalogs = (
        CatalogHolder.from_file(settings.plans_file) if settings.plans_file else CatalogHolder()
    )
    limiter = make_limiter(
        settings.redis_url, f"{settings.login_attempts_per_ip_per_minute}/minute"
    )

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        if not catalogs.loaded:
            await load_stored_catalog(runtime.redis, catalogs)
        async with build_context(settings, runtime, catalogs) as context:
            app.state.gateway = context
            yield

    app = create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox API",
            description="Velox business APIs behind one gateway.",
            settings=settings,
            events=events,
            require_identity=False,
            readiness_extra=lambda runtime: ready(runtime, catalogs),
            resources=resources,
            consumers=lambda runtime: [
                billing_consumer(runtime, catalogs),
                service_usage_consumer(runtime),
            ],
            workers=lambda runtime: [CatalogWatcher(runtime.redis, catalogs)],
            own_openapi=False,
            routers=[
                build_auth_router(limiter, f"{settings.login_attempts_per_ip_per_minute}/minute"),
                api_keys_router,
                accounts_router,
                members_router,
                _docs_router(),
            ],
            middleware=[
                (SecurityHeadersMiddleware, {}),
                (
                    OwnBodyLimitMiddleware,
                    {
                        "max_bytes": settings.own_max_body_bytes,
                        "proxied_prefixes": list(SERVICE_PREFIXES.values()),
                    },
                ),
                (
                    CORSMiddleware,
                    {
                        "allow_origins": settings.cors_origins,
                        "allow_credentials": bool(settings.cors_origins),
                        "allow_methods": ["*"],
                        "allow_headers": ["*"],
                        "expose_headers": [
                            "X-Request-ID",
                            "RateLimit-Limit",
                            "RateLimit-Remaining",
                            "RateLimit-Reset",
                            "Retry-After",
                        ],
                    },
                ),
            ],
        )
    )
    # First, so proxied paths never try the gateway's own routes (none is under a prefix).
    app.router.routes.insert(0, FamilyRoute(SERVICE_PREFIXES.values(), _proxied))
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, on_rate_limit_exceeded)
    return app
