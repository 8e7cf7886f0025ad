"""ASGI entry point: ``uvicorn velox_commerce.app:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from velox_shared.app import Runtime, ServiceSpec, create_service_app
from velox_shared.workers import BackgroundWorker

from velox_commerce import NAME
from velox_commerce.carts.endpoints import router as carts_router
from velox_commerce.catalog.endpoints import router as catalog_router
from velox_commerce.checkout.endpoints import router as checkout_router
from velox_commerce.config import Settings
from velox_commerce.context import CommerceContext
from velox_commerce.db import events
from velox_commerce.giftcards.endpoints import router as gift_cards_router
from velox_commerce.inventory.endpoints import router as inventory_router
from velox_commerce.inventory.janitor import ReservationSweeper
from velox_commerce.orders.endpoints import router as orders_router
from velox_commerce.payments.stripe_provider import StripePayments
from velox_commerce.payments.webhooks import WEBHOOK_PATH
from velox_commerce.payments.webhooks import router as webhooks_router
from velox_commerce.promotions.endpoints import router as promotions_router
from velox_commerce.seo.endpoints import router as seo_router
from velox_commerce.shipping.endpoints import router as shipping_router
from velox_commerce.stores.endpoints import router as stores_router
from velox_commerce.tax.endpoints import router as tax_router


def create_app() -> FastAPI:
    settings = Settings()

    def workers(runtime: Runtime) -> Sequence[BackgroundWorker]:
        return [ReservationSweeper(runtime.sessions, settings.reservation_sweep_seconds)]

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        payments = StripePayments.from_settings(settings)
        app.state.commerce = CommerceContext(settings=settings, runtime=runtime, payments=payments)
        try:
            yield
        finally:
            if payments is not None:
                await payments.aclose()

    return create_service_app(
        ServiceSpec(
            name=NAME,
            title="Velox Commerce",
            description="Headless shop: catalogue, cart, checkout, orders, inventory.",
            settings=settings,
            events=events,
            routers=[
                stores_router,
                catalog_router,
                inventory_router,
                carts_router,
                checkout_router,
                orders_router,
                promotions_router,
                gift_cards_router,
                shipping_router,
                tax_router,
                webhooks_router,
                seo_router,
            ],
            workers=workers,
            resources=resources,
            extra_public_paths=frozenset({WEBHOOK_PATH}),
        )
    )
