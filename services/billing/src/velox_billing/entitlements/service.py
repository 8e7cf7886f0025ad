"""Working out what an account may use, from its subscriptions, and telling the gateway.

A family's tier comes from the account's live subscription in it: ``active`` and
``trialing`` grant the tier; ``past_due`` grants it during the grace period after the first
failed payment, then no longer; anything else (canceled, unpaid, incomplete) leaves the
family on the catalogue's default tier. Whenever the result differs from what is stored,
the new rows and a ``billing.plans.changed`` event (the complete state) are written in the
same transaction, so the gateway can never miss or half-apply a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.billing import AccountPlansChanged
from velox_shared.contracts.plans import Catalog
from velox_shared.events import EventTables, publish

from velox_billing.db.models import Entitlement, Subscription

__all__ = ["Effective", "effective_plans", "recompute"]

GRANTING = {"active": "active", "trialing": "trialing"}
# Statuses in which a subscription still belongs to its family (one per family).
LIVE_STATUSES = frozenset({"active", "trialing", "past_due", "incomplete", "unpaid", "paused"})


@dataclass(frozen=True)
class Effective:
    tier: str
    status: str  # active | trialing | grace | default
    subscription_id: str | None


def effective_plans(
    catalog: Catalog, subscriptions: list[Subscription], *, now: datetime, grace: timedelta
) -> dict[str, Effective]:
    """The tier of every family that a subscription grants right now."""
    result: dict[str, Effective] = {}
    # Newest first: if a family somehow holds two, the newer one decides.
    for sub in sorted(subscriptions, key=lambda s: s.created_at or now, reverse=True):
        if sub.family in result or sub.family not in catalog.families:
            continue
        if sub.tier not in catalog.families[sub.family].tiers:
            continue
        status = GRANTING.get(sub.status)
        if status is None and sub.status == "past_due":
            since = sub.past_due_since or now
            status = "grace" if now < since + grace else None
        if status is not None:
            result[sub.family] = Effective(sub.tier, status, sub.id)
    return result


async def recompute(
    session: AsyncSession,
    catalog: Catalog,
    events: EventTables,
    account_id: str,
    *,
    grace: timedelta,
    reason: str,
    now: datetime | None = None,
) -> bool:
    """Store the account's effective plans; publish them if they changed. True if changed."""
    now = now or datetime.now(UTC)
    subs = list(
        (
            await session.scalars(select(Subscription).where(Subscription.account_id == account_id))
        ).all()
    )
    wanted = effective_plans(catalog, subs, now=now, grace=grace)
    stored = {
        e.family: e
        for e in (
            await session.scalars(
                select(Entitlement).where(Entitlement.account_id == account_id).with_for_update()
            )
        ).all()
    }
    current = {f: Effective(e.tier, e.status, e.subscription_id) for f, e in stored.items()}
    if current == wanted:
        return False
    await session.execute(delete(Entitlement).where(Entitlement.account_id == account_id))
    session.add_all(
        Entitlement(
            account_id=account_id,
            family=family,
            tier=eff.tier,
            status=eff.status,
            subscription_id=eff.subscription_id,
            updated_at=now,
        )
        for family, eff in wanted.items()
    )
    tiers_changed = {f: e.tier for f, e in current.items()} != {
        f: e.tier for f, e in wanted.items()
    }
    if tiers_changed:
        payload = AccountPlansChanged(
            account_id=account_id,
            plans={f: e.tier for f, e in wanted.items()},
            changed_at=now,
            reason=reason[:64],
        )
        await publish(session, events, payload, account_id=account_id)
    await session.flush()
    return True
