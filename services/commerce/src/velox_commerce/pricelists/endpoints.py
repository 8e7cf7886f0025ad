"""/v1/commerce/stores/{store_id}/price-lists and /variants/{variant_id}/sale: prices
that lower a variant's catalogue price for a group, from a quantity, or for a while."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.pricelists.schemas import (
    MAX_PRICES_PER_CALL,
    PriceIn,
    PriceListCreate,
    PriceListOut,
    PriceListUpdate,
    PriceOut,
    PricesSetOut,
    SaleIn,
    SaleOut,
)
from velox_commerce.pricelists.service import PriceListService, SaleService
from velox_commerce.stores.schemas import Currency

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: price lists"])

PriceListId = Annotated[str, Path(max_length=40, description="The price list's id (`pl_...`).")]
VariantId = Annotated[str, Path(max_length=40, description="The variant's id (`var_...`).")]
IdFilter = Annotated[str | None, Query(max_length=40)]


@router.post(
    "/price-lists",
    status_code=status.HTTP_201_CREATED,
    summary="Create a price list",
    responses=problems(404, 422),
)
async def create_price_list(
    data: PriceListCreate, store: StoreDep, session: SessionDep
) -> PriceListOut:
    """Prices in one of the store's currencies for everyone or for one customer group,
    optionally within a window. A cart line costs the lowest of its base price, its sale
    price and the tiers of the lists that apply to it."""
    price_list = await PriceListService(session, store).create(data)
    return PriceListOut.model_validate(price_list)


@router.get("/price-lists", summary="List price lists", responses=problems(400, 404, 422))
async def list_price_lists(
    store: StoreDep,
    session: SessionDep,
    currency: Currency | None = None,
    customer_group_id: IdFilter = None,
    active: bool | None = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[PriceListOut]:
    """The store's price lists, newest first, filtered by currency, group or ``active``."""
    page = await PriceListService(session, store).page(
        currency=currency,
        customer_group_id=customer_group_id,
        active=active,
        limit=limit,
        cursor=cursor,
    )
    return Page(
        items=[PriceListOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/price-lists/{price_list_id}", summary="Get a price list", responses=problems(404, 422)
)
async def get_price_list(
    price_list_id: PriceListId, store: StoreDep, session: SessionDep
) -> PriceListOut:
    """The price list (its tiers are listed under ``/prices``)."""
    return PriceListOut.model_validate(await PriceListService(session, store).get(price_list_id))


@router.patch(
    "/price-lists/{price_list_id}", summary="Update a price list", responses=problems(404, 422)
)
async def update_price_list(
    price_list_id: PriceListId, data: PriceListUpdate, store: StoreDep, session: SessionDep
) -> PriceListOut:
    """Rename, change the group or the window, pause (``active`` false) or resume. Carts
    pick the change up the next time they are priced."""
    price_list = await PriceListService(session, store).update(price_list_id, data)
    return PriceListOut.model_validate(price_list)


@router.delete(
    "/price-lists/{price_list_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a price list",
    responses=problems(404, 422),
)
async def delete_price_list(
    price_list_id: PriceListId, store: StoreDep, session: SessionDep
) -> None:
    """Removes the list and its prices; orders already placed keep what they cost."""
    await PriceListService(session, store).delete(price_list_id)


@router.put(
    "/price-lists/{price_list_id}/prices",
    summary="Set a price list's tiered prices",
    responses=problems(404, 422),
)
async def set_prices(
    price_list_id: PriceListId,
    prices: Annotated[list[PriceIn], Body(min_length=1, max_length=MAX_PRICES_PER_CALL)],
    store: StoreDep,
    session: SessionDep,
) -> PricesSetOut:
    """Up to 1000 tiers per call, all or nothing: each sets the unit price of a variant of
    the store from ``min_quantity`` units in a line (``amount`` null removes the tier).
    Tiers not named are kept, so a large list is set over several calls. A variant's
    tiers, as they will be, never charge more per unit for more units (at most 50)."""
    return await PriceListService(session, store).set_prices(price_list_id, prices)


@router.get(
    "/price-lists/{price_list_id}/prices",
    summary="List a price list's tiered prices",
    responses=problems(400, 404, 422),
)
async def list_prices(
    price_list_id: PriceListId,
    store: StoreDep,
    session: SessionDep,
    variant_id: IdFilter = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[PriceOut]:
    """Tiers by variant and quantity; ``variant_id`` gives one variant's tiers."""
    return await PriceListService(session, store).prices(
        price_list_id, variant_id=variant_id, limit=limit, cursor=cursor
    )


@router.put(
    "/variants/{variant_id}/sale",
    summary="Schedule a sale price",
    responses=problems(404, 422),
)
async def put_sale(
    variant_id: VariantId, data: SaleIn, store: StoreDep, session: SessionDep
) -> SaleOut:
    """The variant's sale price in one currency from ``starts_at`` until ``ends_at``
    (either end open when unset), replacing that currency's previous sale. The variant
    needs a base price in the currency; the lower of the two applies inside the window."""
    return await SaleService(session, store).put(variant_id, data)


@router.get(
    "/variants/{variant_id}/sale", summary="List a variant's sale prices", responses=problems(404)
)
async def list_sales(variant_id: VariantId, store: StoreDep, session: SessionDep) -> list[SaleOut]:
    """The variant's sale price per currency, with whether each applies now."""
    return await SaleService(session, store).listing(variant_id)


@router.delete(
    "/variants/{variant_id}/sale",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a sale price",
    responses=problems(404, 422),
)
async def delete_sale(
    variant_id: VariantId,
    store: StoreDep,
    session: SessionDep,
    currency: Annotated[Currency | None, Query(description="Unset: every currency.")] = None,
) -> None:
    """Removes the sale of ``currency`` (or of every currency): the base price applies."""
    await SaleService(session, store).delete(variant_id, currency)
