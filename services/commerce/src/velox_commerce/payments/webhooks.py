"""Stripe's webhooks to commerce: ``POST /v1/commerce/payments/stripe/webhook``.

Public at the gateway (Stripe has no API key) and signed instead: the ``Stripe-Signature``
header is checked on the raw body with the SDK's verifier against every secret in
``STRIPE_WEBHOOK_SECRET``. Each event is handled once: its id is recorded in the same
transaction as its effect, so a redelivery is acknowledged and changes nothing, and a
failure leaves no record, so Stripe's retry does the work.

- ``payment_intent.amount_capturable_updated``: the buyer authorised; place the order if
  the buyer's return has not (and capture it when the store captures on order).
- ``payment_intent.succeeded``: the capture is recorded and the order is paid.
- ``payment_intent.payment_failed``: the checkout's payment is marked failed.
- ``charge.refunded``: refunds made outside Velox (the Stripe dashboard) are recorded.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import BadRequest, ServiceUnavailable

from velox_commerce.checkout.service import OrderPlacement, release_authorization
from velox_commerce.context import CommerceContext
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order, Payment, StripeEvent
from velox_commerce.deps import ContextDep
from velox_commerce.errors import CheckoutRefused
from velox_commerce.openapi import problems
from velox_commerce.orders.service import OrderService, apply_capture, mark_payment_failed
from velox_commerce.payments.provider import Intent
from velox_commerce.payments.stripe_provider import intent_from_stripe

__all__ = ["WEBHOOK_PATH", "router"]

WEBHOOK_PATH = "/v1/commerce/payments/stripe/webhook"
MAX_PAYLOAD_BYTES = 512 * 1024

_log = logging.getLogger("velox.commerce.webhooks")

router = APIRouter(tags=["commerce: payments"])


class InvalidSignature(BadRequest):
    problem = "invalid-webhook-signature"
    title = "The webhook signature is not valid"


class WebhooksNotConfigured(ServiceUnavailable):
    problem = "webhooks-not-configured"
    title = "Stripe webhooks are not configured"


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool


def verify(
    payload: bytes, header: str | None, secrets: list[str], tolerance: int
) -> dict[str, Any]:
    if not secrets:
        raise WebhooksNotConfigured("STRIPE_WEBHOOK_SECRET is unset on this deployment.")
    if not header:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        body = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidSignature("The body is not UTF-8.") from None
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(body, header, secret, tolerance)
            break
        except stripe.SignatureVerificationError:
            continue
    else:
        raise InvalidSignature("No configured secret signs this body (or it is too old).")
    try:
        event = json.loads(body)
    except ValueError:
        raise BadRequest("The webhook body is not JSON.") from None
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise BadRequest("The webhook body is not a Stripe event.")
    if not str(event.get("id", "")).startswith("evt_") or not isinstance(event.get("type"), str):
        raise BadRequest("The webhook body is not a Stripe event.")
    return event


async def _first_time(session: AsyncSession, event: dict[str, Any]) -> bool:
    inserted = await session.scalar(
        insert(StripeEvent)
        .values(id=event["id"], type=event["type"])
        .on_conflict_do_nothing()
        .returning(StripeEvent.id)
    )
    return inserted is not None


async def _store_of(session: AsyncSession, metadata: dict[str, str]) -> Store | None:
    account, store_id = metadata.get("velox_account_id"), metadata.get("velox_store_id")
    if not account or not store_id:
        return None
    return await session.scalar(
        select(Store).where(Store.id == store_id, Store.account_id == account)
    )


async def handle(context: CommerceContext, event: dict[str, Any]) -> bool:
    """Apply one event; False when it was handled before."""
    kind, obj = event["type"], event["data"].get("object") or {}
    capture_order: tuple[Store, str] | None = None
    release: tuple[Intent, CheckoutRefused] | None = None
    async with context.runtime.sessions() as session:
        if not await _first_time(session, event):
            return False
        if kind in ("payment_intent.amount_capturable_updated", "payment_intent.succeeded"):
            intent = intent_from_stripe(obj)
            store = await _store_of(session, dict(intent.metadata))
            cart_id = intent.metadata.get("velox_cart_id")
            if store is not None and cart_id and intent.authorized:
                placement = OrderPlacement(session, store, context)
                try:
                    async with session.begin_nested():
                        placed = await placement.place(cart_id, intent)
                except CheckoutRefused as refused:
                    _log.warning(
                        "webhook placement refused",
                        extra={"cart_id": cart_id, "problems": [p.code for p in refused.problems]},
                    )
                    release = (intent, refused)
                else:
                    if (
                        placed.created
                        and store.capture_on_order
                        and intent.status == "requires_capture"
                    ):
                        capture_order = (store, placed.order.id)
            if kind == "payment_intent.succeeded":
                payment = await session.scalar(
                    select(Payment).where(Payment.intent_id == intent.id).with_for_update()
                )
                if payment is not None and await apply_capture(session, payment, intent):
                    order_row = await session.get(Order, payment.order_id or "")
                    if order_row is not None and store is not None:
                        await OrderService(session, store, context).paid_event(
                            order_row, intent.amount_received
                        )
        elif kind == "payment_intent.payment_failed":
            await mark_payment_failed(session, str(obj.get("id", "")))
        elif kind == "charge.refunded":
            await _refunded_outside(session, obj)
        await session.commit()
    if release is not None and context.payments is not None:
        async with context.runtime.sessions() as session:
            await release_authorization(session, context.payments, *release)
    if capture_order is not None:
        store, order_id = capture_order
        async with context.runtime.sessions() as session:
            await OrderService(session, store, context).capture(order_id, None)
    return True


async def _refunded_outside(session: AsyncSession, charge: dict[str, Any]) -> None:
    intent_id, refunded = charge.get("payment_intent"), int(charge.get("amount_refunded") or 0)
    if not intent_id:
        return
    payment = await session.scalar(
        select(Payment).where(Payment.intent_id == intent_id).with_for_update()
    )
    if payment is None or refunded <= payment.amount_refunded:
        return
    payment.amount_refunded = refunded
    payment.status = "refunded" if refunded >= payment.amount_captured else "partially_refunded"
    payment.updated_at = func.now()
    if payment.order_id is not None:
        order = await session.get(Order, payment.order_id, with_for_update=True)
        if order is not None:
            order.payment_status = payment.status
            if payment.status == "refunded" and order.status in ("paid", "placed"):
                order.status = "refunded"


@router.post(
    WEBHOOK_PATH,
    summary="Stripe webhook (signed)",
    responses=problems(400, 503),
    openapi_extra={"security": []},
)
async def stripe_webhook(
    request: Request,
    context: ContextDep,
    stripe_signature: str | None = Header(None, alias="Stripe-Signature", max_length=4096),
) -> WebhookAck:
    """Receives Stripe's payment events. Needs no API key: the `Stripe-Signature` header
    is checked against `STRIPE_WEBHOOK_SECRET` on the raw body. Each event is applied
    once; a redelivery is acknowledged with `duplicate: true`."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PAYLOAD_BYTES:
            raise BadRequest("The webhook body is too large.")
    settings = context.settings
    event = verify(
        bytes(body),
        stripe_signature,
        settings.webhook_secrets(),
        settings.webhook_tolerance_seconds,
    )
    new = await handle(context, event)
    return WebhookAck(duplicate=not new)
