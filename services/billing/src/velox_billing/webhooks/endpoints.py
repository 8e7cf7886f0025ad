"""POST /v1/billing/webhooks/stripe: public (Stripe has no API key), signed instead."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from velox_shared.errors import PROBLEM_JSON

from velox_billing.deps import ContextDep
from velox_billing.webhooks.receive import MAX_PAYLOAD_BYTES, store_event, verify

router = APIRouter(prefix="/v1/billing/webhooks", tags=["billing"])

WEBHOOK_PATH = "/v1/billing/webhooks/stripe"


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool


@router.post(
    "/stripe",
    responses={400: {"content": {PROBLEM_JSON: {}}}, 503: {"content": {PROBLEM_JSON: {}}}},
    openapi_extra={"security": []},
)
async def stripe_webhook(
    request: Request,
    context: ContextDep,
    stripe_signature: str | None = Header(None, alias="Stripe-Signature", max_length=4096),
) -> WebhookAck:
    """Receives Stripe's events. Needs no API key: the `Stripe-Signature` header is checked
    against `STRIPE_WEBHOOK_SECRET` on the raw body (tolerance five minutes). The event is
    stored and acknowledged at once; it is processed in the background, and a repeated
    delivery is acknowledged without being processed again."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PAYLOAD_BYTES:
            break
    settings = context.settings
    event = verify(
        bytes(body),
        stripe_signature,
        settings.webhook_secrets(),
        settings.webhook_tolerance_seconds,
    )
    async with context.runtime.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        new = await store_event(autocommit, event)
    if new:
        context.webhook_arrived.set()
    return WebhookAck(duplicate=not new)
