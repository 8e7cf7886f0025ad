"""Copying Stripe's subscription objects into billing's table.

Webhooks may arrive late, twice or out of order, so a handler never trusts the object in
the event: it fetches the subscription from Stripe and stores that, the current truth.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.plans import Catalog

from velox_billing.catalog.naming import PlanRef, plan_for_lookup_key
from velox_billing.db.models import Customer, Subscription

__all__ = ["UnknownSubscription", "account_for_customer", "plan_of", "store_subscription"]


class UnknownSubscription(Exception):
    """A subscription that is not for a Velox plan or not for a known account."""


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def plan_of(catalog: Catalog, sub: Any) -> tuple[PlanRef, Any]:
    """The Velox tier a Stripe subscription is for, and its base item."""
    for item in sub["items"]["data"]:
        plan = plan_for_lookup_key(catalog, item["price"].get("lookup_key"))
        if plan is not None:
            return plan, item
    raise UnknownSubscription(f"subscription {sub['id']} has no Velox plan price")


async def account_for_customer(session: AsyncSession, customer_id: str) -> str | None:
    result: str | None = await session.scalar(
        select(Customer.account_id).where(Customer.stripe_customer_id == customer_id)
    )
    return result


async def store_subscription(
    session: AsyncSession, catalog: Catalog, sub: Any, *, now: datetime | None = None
) -> Subscription:
    """Insert or refresh our row for the Stripe subscription ``sub``; returns it."""
    now = now or datetime.now(UTC)
    customer_id = sub["customer"] if isinstance(sub["customer"], str) else sub["customer"]["id"]
    account_id = await account_for_customer(session, customer_id)
    if account_id is None:
        raise UnknownSubscription(f"customer {customer_id} belongs to no Velox account")
    plan, item = plan_of(catalog, sub)
    row = await session.get(Subscription, sub["id"], with_for_update=True)
    if row is None:
        row = Subscription(id=sub["id"], account_id=account_id, created_at=_ts(sub["created"]))
        session.add(row)
    status = sub["status"]
    if status == "past_due":
        row.past_due_since = row.past_due_since or now
    else:
        row.past_due_since = None
    row.stripe_customer_id = customer_id
    row.family = plan.family
    row.tier = plan.tier
    row.price_id = item["price"]["id"]
    row.status = status
    row.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    row.current_period_end = _ts(item.get("current_period_end"))
    row.trial_end = _ts(sub.get("trial_end"))
    row.updated_at = now
    await session.flush()
    return row
