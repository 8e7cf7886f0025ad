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
from sqlalchemy import Boolean, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
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


async def store_event(connection: AsyncConnection, event: dict[str, Any]) -> bool:
    """Keep ``event`` for processing; False if it was delivered before.

    One statement (an upsert that counts a repeated delivery), so on an autocommit
    connection storing costs a single round trip: the acknowledgement waits for nothing
    else. ``xmax = 0`` holds only for a row this statement inserted.
    """
    statement = insert(WebhookEvent).values(
        id=event["id"], type=event["type"][:100], payload=event, deliveries=1, attempts=0
    )
    inserted = await connection.scalar(
        statement.on_conflict_do_update(
            index_elements=[WebhookEvent.id],
            set_={"deliveries": WebhookEvent.deliveries + 1},
        ).returning(literal_column("xmax = 0", Boolean))
    )
    return bool(inserted)
