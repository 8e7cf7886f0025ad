"""The account's metered usage in the current calendar month."""

from __future__ import annotations

from datetime import UTC, datetime

from velox_shared.errors import ServiceUnavailable

from velox_gateway.accounts.schemas import UsageItem, UsageOut
from velox_gateway.context import GatewayContext
from velox_gateway.limits import QuotaUnavailable


def _next_month(now: datetime) -> datetime:
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


async def current_usage(context: GatewayContext, account_id: str) -> UsageOut:
    now = datetime.now(UTC)
    tiers = await context.plans.tiers(account_id)
    limits: dict[str, int | None] = {}
    for family, tier in tiers.items():
        limits.update(context.catalog.tier(family, tier).quotas)
    try:
        used = await context.quotas.usage(account_id)
    except QuotaUnavailable:
        raise ServiceUnavailable("Usage figures are unavailable; retry shortly.") from None
    items = []
    for operation in sorted(set(limits) | set(used)):
        count, limit = used.get(operation, 0), limits.get(operation)
        remaining = None if limit is None else max(0, limit - count)
        items.append(UsageItem(operation=operation, used=count, limit=limit, remaining=remaining))
    return UsageOut(period=now.strftime("%Y-%m"), resets_at=_next_month(now), items=items)
