"""Receiving a Stripe webhook: verify the signature on the raw body, store, acknowledge.

The signature is checked with the SDK's own verifier against every configured secret
(``STRIPE_WEBHOOK_SECRET`` may list the old and the new secret while one is rolled; the
header itself may carry several ``v1`` signatures). An event id seen before is a
duplicate delivery: it is acknowledged again and not stored twice.
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import BadRequest, ServiceUnavailable

from velox_billing.db.models import WebhookEvent

__all__ = ["InvalidSignature", "store_event", "verify"]

MAX_PAYLOAD_BYTES = 512 * 1024


class InvalidSignature(BadRequest):
    problem = "invalid-webhook-signature"
    title = "The webhook signature is not valid"


class WebhooksNotConfigured(ServiceUnavailable):
    problem = "webhooks-not-configured"
    title = "Stripe webhooks are not configured"


def verify(
    payload: bytes, header: str | None, secrets: list[str], tolerance: int
) -> dict[str, Any]:
    """The event in ``payload`` if ``header`` signs it with one of ``secrets``."""
    if not secrets:
        raise WebhooksNotConfigured("STRIPE_WEBHOOK_SECRET is unset on this deployment.")
    if not header:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise BadRequest("The webhook body is too large.")
    last: Exception | None = None
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), header, secret, tolerance
            )
        except stripe.SignatureVerificationError as exc:
            # A signature that matched but is too old says more than "no match" does.
            if last is None or "tolerance" in str(exc):
                last = exc
            continue
        except UnicodeDecodeError:
            raise InvalidSignature("The body is not UTF-8.") from None
        break
    else:
        reason = str(last).rstrip(".") if last else "no signature matched"
        raise InvalidSignature(f"Signature check failed: {reason}.")
    try:
        event: dict[str, Any] = json.loads(payload)
    except ValueError:
        raise BadRequest("The webhook body is not JSON.") from None
    if not isinstance(event, dict) or not str(event.get("id", "")).startswith("evt_"):
        raise BadRequest("The webhook body is not a Stripe event.")
    if not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
        raise BadRequest("The webhook body is not a Stripe event.")
    return event


async def store_event(session: AsyncSession, event: dict[str, Any]) -> bool:
    """Keep ``event`` for processing; False if it was delivered before."""
    inserted = await session.scalar(
        insert(WebhookEvent)
        .values(
            id=event["id"],
            type=event["type"][:100],
            payload=event,
            deliveries=1,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(WebhookEvent.id)
    )
    if inserted is None:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event["id"])
            .values(deliveries=WebhookEvent.deliveries + 1)
        )
        return False
    return True
