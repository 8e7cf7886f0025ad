"""Ending grace periods: a failed payment keeps the paid tier for a while, then not.

Stripe sends no event when our grace period runs out, so this loop looks for accounts
whose entitlement is still ``grace`` although the subscription has been past due for
longer than ``BILLING_GRACE_PERIOD_SECONDS``, and recomputes them (which drops the family
to its free tier and tells the gateway).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import select
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_billing.context import BillingContext
from velox_billing.db.models import Entitlement, Subscription
from velox_billing.entitlements.service import recompute

__all__ = ["GraceEnforcer"]

_log = logging.getLogger("velox.billing.grace")


class GraceEnforcer(BackgroundWorker):
    name = "grace"

    def __init__(self, context: BillingContext) -> None:
        self._context = context
        self.quiesce = Quiesce()

    async def enforce_once(self, now: datetime | None = None) -> int:
        """Downgrade every account whose grace ran out; returns how many changed."""
        context = self._context
        now = now or datetime.now(UTC)
        async with context.runtime.sessions() as session, session.begin():
            accounts = (
                await session.scalars(
                    select(Entitlement.account_id)
                    .join(Subscription, Subscription.id == Entitlement.subscription_id)
                    .where(
                        Entitlement.status == "grace",
                        Subscription.status == "past_due",
                        Subscription.past_due_since <= now - context.grace,
                    )
                    .distinct()
                )
            ).all()
            changed = 0
            for account_id in accounts:
                changed += await recompute(
                    session,
                    context.catalog,
                    context.runtime.events,
                    account_id,
                    grace=context.grace,
                    reason="payment.grace_ended",
                    now=now,
                )
        if changed:
            _log.info("grace periods ended", extra={"accounts": changed})
        return changed

    async def run(self) -> None:
        interval = self._context.settings.grace_check_interval_seconds
        while True:
            try:
                async with self.quiesce.section():
                    await self.enforce_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("grace check paused", extra={"error": repr(exc)})
            await asyncio.sleep(interval)
