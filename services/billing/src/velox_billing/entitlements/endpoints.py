"""GET /v1/billing/entitlements: what the account may use in every product family."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from velox_shared.auth import CurrentIdentity

from velox_billing.db.models import Entitlement, StripeFeatures
from velox_billing.deps import ContextDep, SessionDep
from velox_billing.entitlements.schemas import EntitlementsOut, FamilyEntitlement

router = APIRouter(prefix="/v1/billing", tags=["billing"])


@router.get("/entitlements")
async def get_entitlements(
    identity: CurrentIdentity, context: ContextDep, session: SessionDep
) -> EntitlementsOut:
    """Each family's effective plan, its status, features, quotas, limits and rate."""
    stored = {
        e.family: e
        for e in (
            await session.scalars(
                select(Entitlement).where(Entitlement.account_id == identity.account_id)
            )
        ).all()
    }
    features = await session.get(StripeFeatures, identity.account_id)
    catalog = context.catalog
    families = []
    for family in catalog.families.values():
        entitlement = stored.get(family.name)
        tier_name = entitlement.tier if entitlement else catalog.default_tier
        tier = family.tiers[tier_name]
        families.append(
            FamilyEntitlement(
                family=family.name,
                plan=f"{family.name}:{tier.name}",
                status=entitlement.status if entitlement else "default",
                subscription_id=entitlement.subscription_id if entitlement else None,
                features=list(tier.features),
                quotas=dict(tier.quotas),
                limits=dict(tier.limits),
                rate_per_minute=tier.rate_per_minute,
            )
        )
    return EntitlementsOut(
        account_id=identity.account_id,
        families=families,
        stripe_features=list(features.lookup_keys) if features else [],
    )
