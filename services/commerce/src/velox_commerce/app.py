"""ASGI entry point: ``uvicorn velox_commerce.app:create_app --factory``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from velox_shared.app import Runtime, ServiceSpec, create_service_app
from velox_shared.workers import BackgroundWorker

from velox_commerce import NAME
from velox_commerce.bundles.endpoints import router as bundles_router
from velox_commerce.carts.endpoints import router as carts_router
from velox_commerce.catalog.endpoints import router as catalog_router
from velox_commerce.checkout.endpoints import router as checkout_router
from velox_commerce.config import Settings
from velox_commerce.context import CommerceContext
from velox_commerce.customers.endpoints import router as customers_router
from velox_commerce.customers.storefront import router as customer_sign_in_router
from velox_commerce.db import events
from velox_commerce.edits.endpoints import router as order_edits_router
from velox_commerce.emails.endpoints import router as emails_router
from velox_commerce.emails.sender import sender_from_settings
from velox_commerce.emails.worker import MailWorker
from velox_commerce.giftcards.endpoints import router as gift_cards_router
from velox_commerce.images.endpoints import router as images_router
from velox_commerce.images.storage import build_storage
from velox_commerce.inventory.endpoints import router as inventory_router
from velox_commerce.inventory.janitor import ReservationSweeper
from velox_commerce.notes.endpoints import router as order_notes_router
from velox_commerce.orders.endpoints import router as orders_router
from velox_commerce.payments.stripe_provider import StripePayments
from velox_commerce.payments.webhooks import WEBHOOK_PATH
from velox_commerce.payments.webhooks import router as webhooks_router
from velox_commerce.pricelists.endpoints import router as price_lists_router
from velox_commerce.promotions.endpoints import router as promotions_router
from velox_commerce.recommendations.endpoints import router as recommendations_router
from velox_commerce.reports.endpoints import router as reports_router
from velox_commerce.returns.endpoints import router as returns_router
from velox_commerce.reviews.endpoints import router as reviews_router
from velox_commerce.search.endpoints import router as search_router
from velox_commerce.seo.endpoints import router as seo_router
from velox_commerce.shipping.endpoints import router as shipping_router
from velox_commerce.shopping.endpoints import router as shopping_router
from velox_commerce.stores.endpoints import router as stores_router
from velox_commerce.tax.endpoints import router as tax_router
from velox_commerce.transfer.endpoints import router as transfer_router
from velox_commerce.webhooks.dispatcher import WebhookDispatcher
from velox_commerce.webhooks.endpoints import router as partner_webhooks_router
from velox_commerce.webhooks.fanout import webhook_consumer


def create_app() -> FastAPI:
    settings = Settings()

    def workers(runtime: Runtime) -> Sequence[BackgroundWorker]:
        return [
            ReservationSweeper(runtime.sessions, settings.reservation_sweep_seconds),
            MailWorker(
                runtime.sessions,
                sender_from_settings(settings),
                from_address=settings.email_from,
                poll_seconds=settings.mail_poll_seconds,
                batch_size=settings.mail_batch_size,
                schedule=settings.mail_retry_schedule,
            ),
            WebhookDispatcher(
                runtime.sessions,
                runtime.http,
                poll_seconds=settings.webhook_poll_seconds,
                batch_size=settings.webhook_batch_size,
                timeout=settings.webhook_timeout_seconds,
                schedule=settings.webhook_retry_schedule,
            ),
        ]

    @asynccontextmanager
    async def resources(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        payments = StripePayments.from_settings(settings)
        app.state.commerce = CommerceContext(settings=settings, runtime=runtime, payments=payments)
        app.state.commerce_images = build_storage(settings)
        try:
            yield
        finally:
            await app.state.commerce_images.aclose()
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
                # before catalog_router: /products/export is no product id
                transfer_router,
                catalog_router,
                price_lists_router,
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
                partner_webhooks_router,
                # before customers_router: /customers/me is no customer id
                customer_sign_in_router,
                customers_router,
                emails_router,
                order_notes_router,
                order_edits_router,
                returns_router,
                reports_router,
                search_router,
                reviews_router,
                shopping_router,
                recommendations_router,
                images_router,
                bundles_router,
            ],
            consumers=lambda runtime: [webhook_consumer(runtime)],
            workers=workers,
            resources=resources,
            extra_public_paths=frozenset({WEBHOOK_PATH}),
        )
    )
