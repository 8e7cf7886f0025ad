"""Processing stored Stripe events, in the background, at least once and idempotently.

Each event is handled in its own savepoint; success stamps ``processed_at``, a failure
counts an attempt and schedules a retry with backoff (after ``webhook_max_attempts`` the
event is marked failed for an operator). Handlers re-fetch the subscription from Stripe
rather than trusting the event's copy, so late, repeated or reordered deliveries all
converge on Stripe's current state. Several billing processes share the table safely
(``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_billing.context import BillingContext
from velox_billing.db.models import StripeFeatures, WebhookEvent
from velox_billing.entitlements.service import recompute
from velox_billing.stripe_api import call, plain
from velox_billing.subscriptions.sync import (
    UnknownSubscription,
    account_for_customer,
    store_subscription,
)

__all__ = ["WebhookProcessor", "handle_event"]

_log = logging.getLogger("velox.billing.webhooks")


async def refresh_subscription(
    context: BillingContext, session: AsyncSession, subscription_id: str, reason: str
) -> None:
    current = await call(context.stripe.v1.subscriptions.retrieve_async(subscription_id))
    row = await store_subscription(session, context.catalog, plain(current))
    await recompute(
        session,
        context.catalog,
        context.runtime.events,
        row.account_id,
        grace=context.grace,
        reason=reason,
    )


def invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """The subscription an invoice bills (``parent.subscription_details`` since 2025)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    sub = details.get("subscription") or invoice.get("subscription")
    if isinstance(sub, dict):
        return str(sub["id"])
    return str(sub) if sub else None


async def refresh_features(
    context: BillingContext, session: AsyncSession, customer_id: str
) -> None:
    account_id = await account_for_customer(session, customer_id)
    if account_id is None:
        raise UnknownSubscription(f"customer {customer_id} belongs to no Velox account")
    listed = await call(
        context.stripe.v1.entitlements.active_entitlements.list_async(
            params={"customer": customer_id, "limit": 100}
        )
    )
    keys = sorted({e.lookup_key for e in listed.data})
    await session.execute(
        insert(StripeFeatures)
        .values(account_id=account_id, lookup_keys=keys)
        .on_conflict_do_update(
            index_elements=["account_id"],
            set_={"lookup_keys": keys, "refreshed_at": datetime.now(UTC)},
        )
    )


async def handle_event(
    context: BillingContext, session: AsyncSession, event: dict[str, Any]
) -> str:
    """Apply one Stripe event; returns what was done (for the log)."""
    kind = event["type"]
    obj = event["data"]["object"]
    if kind == "checkout.session.completed":
        if obj.get("mode") != "subscription" or not obj.get("subscription"):
            return "ignored: not a subscription checkout"
        await refresh_subscription(context, session, str(obj["subscription"]), "checkout")
        return "subscription stored"
    if kind.startswith("customer.subscription."):
        await refresh_subscription(context, session, str(obj["id"]), kind.split(".", 1)[1])
        if kind == "customer.subscription.trial_will_end":
            _log.info(
                "trial ends soon",
                extra={"subscription_id": obj["id"], "trial_end": obj.get("trial_end")},
            )
        return "subscription refreshed"
    if kind in ("invoice.paid", "invoice.payment_failed", "invoice.payment_succeeded"):
        sub_id = invoice_subscription(obj)
        if sub_id is None:
            return "ignored: invoice without subscription"
        reason = "payment.failed" if kind == "invoice.payment_failed" else "payment.paid"
        await refresh_subscription(context, session, sub_id, reason)
        return "subscription refreshed"
    if kind == "entitlements.active_entitlement_summary.updated":
        await refresh_features(context, session, str(obj["customer"]))
        return "features refreshed"
    return "ignored: not handled"


class WebhookProcessor(BackgroundWorker):
    """Works through stored events until stopped."""

    name = "webhooks"

    def __init__(self, context: BillingContext, *, batch_size: int = 20) -> None:
        self._context = context
        self._batch = batch_size
        self.quiesce = Quiesce()

    async def run(self) -> None:
        poll = self._context.settings.worker_poll_seconds
        while True:
            try:
                async with self.quiesce.section():
                    handled = await self.process_batch()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("webhook processing paused", extra={"error": repr(exc)})
                handled = 0
            if handled < self._batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._context.webhook_arrived.wait(), poll)
                self._context.webhook_arrived.clear()

    async def process_batch(self) -> int:
        """Handle up to one batch of due events; returns how many were attempted."""
        context = self._context
        now = datetime.now(UTC)
        async with context.runtime.sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(WebhookEvent)
                    .where(
                        WebhookEvent.processed_at.is_(None),
                        WebhookEvent.failed_at.is_(None),
                        WebhookEvent.next_attempt_at <= now,
                    )
                    .order_by(WebhookEvent.received_at, WebhookEvent.id)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._one(session, row)
        return len(rows)

    async def _one(self, session: AsyncSession, row: WebhookEvent) -> None:
        settings = self._context.settings
        now = datetime.now(UTC)
        row.attempts += 1
        try:
            async with session.begin_nested():
                outcome = await handle_event(self._context, session, row.payload)
        except UnknownSubscription as exc:
            row.processed_at, row.last_error = now, f"ignored: {exc}"
            _log.info("webhook ignored", extra={"event_id": row.id, "reason": str(exc)})
            return
        except Exception as exc:
            row.last_error = repr(exc)[:2000]
            if row.attempts >= settings.webhook_max_attempts:
                row.failed_at = now
                _log.error("webhook failed for good", extra={"event_id": row.id, "type": row.type})
            else:
                row.next_attempt_at = now + timedelta(seconds=min(300, 2**row.attempts))
                _log.warning(
                    "webhook will be retried",
                    extra={"event_id": row.id, "type": row.type, "error": row.last_error},
                )
            return
        row.processed_at, row.last_error = now, None
        _log.info(
            "webhook processed", extra={"event_id": row.id, "type": row.type, "outcome": outcome}
        )
