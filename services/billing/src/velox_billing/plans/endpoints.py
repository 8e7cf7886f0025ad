"""/v1/billing/plans: what each tier of each product family costs and allows."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from velox_shared.auth import CurrentIdentity
from velox_shared.errors import PROBLEM_JSON

from velox_billing.plans.schemas import CatalogOut, FamilyOut
from velox_billing.plans.service import catalog_out, one_family

router = APIRouter(prefix="/v1/billing/plans", tags=["billing"])


@router.get("")
async def list_plans(request: Request, identity: CurrentIdentity) -> CatalogOut:
    """Every product family with its tiers, prices, rate limits, features and quotas."""
    return catalog_out(request.app.state.billing.catalog)


@router.get("/{family}", responses={404: {"content": {PROBLEM_JSON: {}}}})
async def get_family_plans(
    request: Request,
    identity: CurrentIdentity,
    family: str = Path(max_length=32, pattern=r"^[a-z][a-z-]*$"),
) -> FamilyOut:
    """One product family's tiers."""
    return one_family(request.app.state.billing.catalog, family)
