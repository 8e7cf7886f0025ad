"""ASGI entry point: ``uvicorn velox_billing.app:create_app --factory``."""

from fastapi import FastAPI
from velox_shared.app import ServiceSpec, create_service_app

from velox_billing import NAME
from velox_billing.config import Settings
from velox_billing.db.models import events
from velox_billing.plans.endpoints import router as plans_router


def create_app() -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Billing",
            description="Stripe customers, plans, subscriptions, webhooks, entitlements and usage.",
            settings=Settings(),
            events=events,
            routers=[plans_router],
        )
    )
