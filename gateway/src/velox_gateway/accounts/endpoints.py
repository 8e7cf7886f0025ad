"""/v1/accounts and /v1/usage."""

from __future__ import annotations

from fastapi import APIRouter

from velox_gateway.accounts.schemas import AccountMe, PlanOut, UsageOut
from velox_gateway.accounts.service import get_account
from velox_gateway.accounts.usage import current_usage
from velox_gateway.deps import ContextDep, CurrentPrincipal, SessionDep

router = APIRouter(tags=["accounts"])


@router.get("/v1/accounts/me")
async def get_my_account(
    principal: CurrentPrincipal, context: ContextDep, session: SessionDep
) -> AccountMe:
    """The caller's account: its plans, entitlements and current usage."""
    account = await get_account(session, principal.account_id)
    tiers = await context.plans.tiers(account.id)
    plans: list[PlanOut] = []
    features: set[str] = set()
    for family_name, tier_name in sorted(tiers.items()):
        family = context.catalog.families[family_name]
        tier = family.tiers[tier_name]
        features.update(tier.features)
        plans.append(
            PlanOut(
                family=family_name,
                tier=tier_name,
                title=family.title,
                price=tier.price,
                rate_per_minute=tier.rate_per_minute,
                burst=tier.burst,
                features=list(tier.features),
                quotas=dict(tier.quotas),
            )
        )
    return AccountMe(
        id=account.id,
        name=account.name,
        status=account.status,
        created_at=account.created_at,
        principal_id=principal.principal_id,
        principal_kind=principal.kind,
        role=principal.role,
        plans=plans,
        entitlements=sorted(features),
        usage=await current_usage(context, account.id),
    )


@router.get("/v1/usage")
async def get_usage(principal: CurrentPrincipal, context: ContextDep) -> UsageOut:
    """Metered usage of the caller's account in the current calendar month (UTC)."""
    return await current_usage(context, principal.account_id)
