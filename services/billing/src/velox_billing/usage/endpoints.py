"""GET /v1/billing/usage: metered units per operation for a month, and what was billed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from velox_shared.auth import CurrentIdentity

from velox_billing.db.models import Entitlement, UsageTotal
from velox_billing.deps import ContextDep, SessionDep

router = APIRouter(prefix="/v1/billing", tags=["billing"])


class UsageLine(BaseModel):
    operation: str = Field(examples=["vin.decodes"])
    units: int = Field(description="Units used in the period (recorded by the gateway).")
    reported_units: int = Field(description="Units already sent to Stripe's meter.")
    included: int | None = Field(description="Units the plan includes; null is unlimited.")
    overage_units: int = Field(description="Units beyond the included ones (billed per unit).")


class UsageReport(BaseModel):
    account_id: str
    period: str
    items: list[UsageLine]


@router.get("/usage")
async def get_usage(
    identity: CurrentIdentity,
    context: ContextDep,
    session: SessionDep,
    period: Annotated[
        str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (UTC).")
    ] = None,
) -> UsageReport:
    """Usage aggregated from the gateway's metering events (this month by default)."""
    month = period or datetime.now(UTC).strftime("%Y-%m")
    totals = (
        await session.scalars(
            select(UsageTotal)
            .where(UsageTotal.account_id == identity.account_id, UsageTotal.period == month)
            .order_by(UsageTotal.operation)
        )
    ).all()
    tiers = {
        e.family: e.tier
        for e in (
            await session.scalars(
                select(Entitlement).where(Entitlement.account_id == identity.account_id)
            )
        ).all()
    }
    included: dict[str, int | None] = {}
    for family in context.catalog.families.values():
        tier = family.tiers[tiers.get(family.name, context.catalog.default_tier)]
        included.update(tier.quotas)
    items = []
    for total in totals:
        limit = included.get(total.operation)
        over = 0 if limit is None else max(0, total.units - limit)
        items.append(
            UsageLine(
                operation=total.operation,
                units=total.units,
                reported_units=total.reported_units,
                included=limit,
                overage_units=over,
            )
        )
    return UsageReport(account_id=identity.account_id, period=month, items=items)
