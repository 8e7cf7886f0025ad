"""ASGI entry point: ``uvicorn velox_billing.app:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from velox_shared.app import Runtime, ServiceSpec, create_service_app
from velox_shared.workers import BackgroundWorker

from velox_billing import NAME
from velox_billing.catalog.publish import CatalogPublisher
from velox_billing.catalog.sync import PlanSyncOnStart
from velox_billing.config import Settings
from velox_billing.context import BillingContext
from velox_billing.db.models import events
from velox_billing.entitlements.endpoints import router as entitlements_router
from velox_billing.entitlements.grace import GraceEnforcer
from velox_billing.plans.endpoints import router as plans_router
from velox_billing.stripe_api import make_client
from velox_billing.subscriptions.endpoints import router as subscriptions_router
from velox_billing.usage.endpoints import router as usage_router
from velox_billing.usage.ingest import usage_consumer
from velox_billing.usage.report import UsageReporter
from velox_billing.webhooks.endpoints import WEBHOOK_PATH
from velox_billing.webhooks.endpoints import router as webhooks_router
from velox_billing.webhooks.process import WebhookProcessor


def create_app() -> FastAPI:
    settings = Settings()
    catalog = settings.catalog()
    holder: dict[str, BillingContext] = {}

    def context_for(runtime: Runtime) -> BillingContext:
        if "context" not in holder:
            holder["context"] = BillingContext(
                settings=settings,
                runtime=runtime,
                catalog=catalog,
                stripe_connection=make_client(settings),
            )
        return holder["context"]

    def workers(runtime: Runtime) -> Sequence[BackgroundWorker]:
        context = context_for(runtime)
        loops: list[BackgroundWorker] = [
            WebhookProcessor(context),
            GraceEnforcer(context),
            UsageReporter(context),
            CatalogPublisher(context),
        ]
        if settings.sync_plans_on_start and context.stripe_client is not None:
            loops.append(PlanSyncOnStart(context.stripe_client, catalog))
        return loops

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        context = context_for(runtime)
        app.state.billing = context
        try:
            yield
        finally:
            holder.clear()
            if context.stripe_connection is not None:
                await context.stripe_connection.aclose()

    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Billing",
            description="Stripe customers, plans, subscriptions, webhooks, entitlements and usage.",
            settings=settings,
            events=events,
            routers=[
                plans_router,
                subscriptions_router,
                entitlements_router,
                usage_router,
                webhooks_router,
            ],
            consumers=lambda runtime: [usage_consumer(runtime)],
            workers=workers,
            resources=resources,
            extra_public_paths=frozenset({WEBHOOK_PATH}),
        )
    )
