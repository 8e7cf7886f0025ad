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
from velox_shared.contracts.plans import load_catalog

from velox_gateway import NAME
from velox_gateway.access.pipeline import handle
from velox_gateway.accounts.endpoints import router as accounts_router
from velox_gateway.accounts.events import billing_consumer
from velox_gateway.apikeys.endpoints import router as api_keys_router
from velox_gateway.auth.endpoints import build_router as build_auth_router
from velox_gateway.auth.throttle import make_limiter, on_rate_limit_exceeded
from velox_gateway.config import Settings
from velox_gateway.context_factory import build_context
from velox_gateway.db.models import events
from velox_gateway.deps import ContextDep
from velox_gateway.health import services_ready
from velox_gateway.members.endpoints import router as members_router
from velox_gateway.openapi import swagger_ui
from velox_gateway.security.body_limit import OwnBodyLimitMiddleware
from velox_gateway.security.headers import SecurityHeadersMiddleware

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _proxy_router(plans_file: str | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def proxied(request: Request, context: ContextDep) -> Response:
        return await handle(request, context)

    for family in load_catalog(plans_file).families.values():
        router.add_api_route(family.path_prefix, proxied, methods=PROXY_METHODS)
        router.add_api_route(family.path_prefix + "/{rest:path}", proxied, methods=PROXY_METHODS)
    return router


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
    catalog = load_catalog(settings.plans_file)
    limiter = make_limiter(
        settings.redis_url, f"{settings.login_attempts_per_ip_per_minute}/minute"
    )

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with build_context(settings, runtime) as context:
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
            readiness_extra=services_ready,
            resources=resources,
            consumers=lambda runtime: [billing_consumer(runtime, catalog)],
            own_openapi=False,
            routers=[
                build_auth_router(limiter, f"{settings.login_attempts_per_ip_per_minute}/minute"),
                api_keys_router,
                accounts_router,
                members_router,
                _docs_router(),
                _proxy_router(settings.plans_file),
            ],
            middleware=[
                (SecurityHeadersMiddleware, {}),
                (
                    OwnBodyLimitMiddleware,
                    {
                        "max_bytes": settings.own_max_body_bytes,
                        "proxied_prefixes": [f.path_prefix for f in catalog.families.values()],
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
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, on_rate_limit_exceeded)
    return app
