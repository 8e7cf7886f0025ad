"""/v1/commerce/stores/{store_id}/tax-rates: what the store charges in tax, and where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.stores.schemas import Country
from velox_commerce.tax.schemas import TaxRateCreate, TaxRateOut
from velox_commerce.tax.service import TaxRateService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: tax"])

TaxRateId = Annotated[str, Path(max_length=40, description="The rate's id (`tax_...`).")]


@router.post(
    "/tax-rates",
    status_code=status.HTTP_201_CREATED,
    summary="Create a tax rate",
    responses=problems(404, 409, 422),
)
async def create_tax_rate(data: TaxRateCreate, store: StoreDep, session: SessionDep) -> TaxRateOut:
    """A percentage (up to 4 decimals) charged in a country, or one of its regions, on
    items of ``tax_code`` (``standard`` for products, ``shipping`` for shipping). A cart
    is taxed by every rate of its address's country and region; the store's tax mode says
    whether prices include it."""
    return await TaxRateService(session, store).create(data)


@router.get("/tax-rates", summary="List tax rates", responses=problems(404, 422))
async def list_tax_rates(
    store: StoreDep,
    session: SessionDep,
    country: Annotated[Country | None, Query(description="Only this country's rates.")] = None,
) -> list[TaxRateOut]:
    """The store's rates by country, region (country-wide first), tax code and name."""
    return await TaxRateService(session, store).listing(country=country)


@router.delete(
    "/tax-rates/{tax_rate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tax rate",
    responses=problems(404, 422),
)
async def delete_tax_rate(tax_rate_id: TaxRateId, store: StoreDep, session: SessionDep) -> None:
    """Stops charging it; orders already placed keep the tax they were charged."""
    await TaxRateService(session, store).delete(tax_rate_id)
