"""Reporting usage to Stripe Billing Meters, exactly once per unit.

Two steps, each its own transaction. *Cut*: for every (account, operation, month) total
with units not yet reported, a meter report row takes the difference and the total's
``reported_units`` moves up to match; the row's id names the range of units it covers
(``mr_<account>_<operation>_<month>_<from>_<to>``), so it is the same on every retry.
*Send*: each unsent report becomes one Stripe meter event whose ``identifier`` is that id,
then is stamped sent. A crash between Stripe's answer and the stamp sends it again, and
Stripe drops a repeated identifier, so nothing is billed twice; a crash before the send
leaves the row unsent for the next round, so nothing is lost.

Only accounts with a Stripe customer are reported (Stripe meters need one); the totals
of every account are still kept for ``GET /v1/billing/usage``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_billing.catalog.naming import meter_event_name
from velox_billing.context import BillingContext
from velox_billing.db.models import Customer, MeterReport, UsageTotal
from velox_billing.stripe_api import call

__all__ = ["UsageReporter", "cut_reports", "send_reports"]

_log = logging.getLogger("velox.billing.usage")


def report_id(total: UsageTotal) -> str:
    op = total.operation.replace(".", "_")
    return f"mr_{total.account_id}_{op}_{total.period}_{total.reported_units}_{total.units}"


async def cut_reports(session: AsyncSession, *, limit: int = 500) -> int:
    """Turn unreported units into meter report rows; returns how many were cut."""
    rows = (
        await session.execute(
            select(UsageTotal, Customer.stripe_customer_id)
            .join(Customer, Customer.account_id == UsageTotal.account_id)
            .where(UsageTotal.units > UsageTotal.reported_units)
            .limit(limit)
            .with_for_update(of=UsageTotal, skip_locked=True)
        )
    ).all()
    for total, customer_id in rows:
        session.add(
            MeterReport(
                id=report_id(total),
                account_id=total.account_id,
                operation=total.operation,
                period=total.period,
                units=total.units - total.reported_units,
                stripe_customer_id=customer_id,
                event_name=meter_event_name(total.operation),
                attempts=0,
            )
        )
        total.reported_units = total.units
    await session.flush()
    return len(rows)


async def send_reports(context: BillingContext, session: AsyncSession, *, limit: int = 100) -> int:
    """Send unsent meter reports to Stripe; returns how many Stripe accepted."""
    reports = (
        await session.scalars(
            select(MeterReport)
            .where(MeterReport.sent_at.is_(None))
            .order_by(MeterReport.created_at, MeterReport.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    sent = 0
    for report in reports:
        report.attempts += 1
        try:
            await call(
                context.stripe.v1.billing.meter_events.create_async(
                    params={
                        "event_name": report.event_name,
                        "identifier": report.id,
                        "timestamp": int(report.created_at.timestamp()),
                        "payload": {
                            "stripe_customer_id": report.stripe_customer_id,
                            "value": str(report.units),
                        },
                    }
                )
            )
        except Exception as exc:
            report.last_error = repr(exc)[:2000]
            _log.warning("meter report not sent", extra={"report": report.id, "error": repr(exc)})
            break  # Stripe is likely down: keep the order, try again next round
        report.sent_at, report.last_error = datetime.now(UTC), None
        sent += 1
    return sent


class UsageReporter(BackgroundWorker):
    name = "usage-reporter"

    def __init__(self, context: BillingContext) -> None:
        self._context = context
        self.quiesce = Quiesce()
        self.wake = asyncio.Event()

    async def report_once(self) -> int:
        """One round: cut, then send; returns the number of reports sent."""
        sessions = self._context.runtime.sessions
        async with sessions() as session, session.begin():
            await cut_reports(session)
        if self._context.stripe_client is None:
            return 0
        async with sessions() as session, session.begin():
            return await send_reports(self._context, session)

    async def run(self) -> None:
        interval = self._context.settings.usage_report_interval_seconds
        while True:
            try:
                async with self.quiesce.section():
                    await self.report_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("usage reporting paused", extra={"error": repr(exc)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), interval)
            self.wake.clear()
