"""Reading the catalogue (billing owns it; Stripe prices map onto its tiers)."""

from __future__ import annotations

from velox_shared.contracts.plans import Catalog, Family
from velox_shared.errors import NotFound

from velox_billing.plans.schemas import CatalogOut, FamilyOut, TierOut


class FamilyNotFound(NotFound):
    problem = "plan-family-not-found"
    title = "No such product family"


def family_out(family: Family) -> FamilyOut:
    tiers = sorted(family.tiers.values(), key=lambda t: t.price.amount)
    return FamilyOut(
        family=family.name,
        title=family.title,
        tiers=[
            TierOut(
                plan=f"{family.name}:{t.name}",
                tier=t.name,
                title=t.title or t.name.capitalize(),
                price=t.price,
                trial_days=t.trial_days,
                rate_per_minute=t.rate_per_minute,
                burst=t.burst,
                features=list(t.features),
                quotas=dict(t.quotas),
                limits=dict(t.limits),
                overage=dict(t.overage),
            )
            for t in tiers
        ],
    )


def catalog_out(catalog: Catalog) -> CatalogOut:
    return CatalogOut(families=[family_out(f) for f in catalog.families.values()])


def one_family(catalog: Catalog, name: str) -> FamilyOut:
    family = catalog.families.get(name)
    if family is None:
        raise FamilyNotFound(f"No product family {name!r}; see GET /v1/billing/plans.")
    return family_out(family)
