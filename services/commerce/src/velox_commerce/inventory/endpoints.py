"""/v1/commerce/stores/{store_id}/locations, /inventory: stock per location and its ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id

from velox_commerce.bundles.repository import BundleRepository
from velox_commerce.db.catalog import Variant
from velox_commerce.db.inventory import Location, StockLevel, StockMovement
from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.inventory.schemas import (
    Adjustment,
    LocationCreate,
    LocationOut,
    MovementOut,
    StockLevelOut,
)
from velox_commerce.inventory.service import InventoryService
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: inventory"])


@router.post(
    "/locations",
    status_code=status.HTTP_201_CREATED,
    summary="Create a stock location",
    responses=problems(404, 422),
)
async def create_location(
    data: LocationCreate, store: StoreDep, session: SessionDep
) -> LocationOut:
    location = Location(
        id=new_id("loc"), account_id=store.account_id, store_id=store.id, **data.model_dump()
    )
    session.add(location)
    await session.flush()
    await session.refresh(location)
    return LocationOut.model_validate(location)


@router.get("/locations", summary="List stock locations", responses=problems(404))
async def list_locations(
    store: StoreDep, session: SessionDep, context: ContextDep
) -> list[LocationOut]:
    service = InventoryService(session, store, context.runtime.events)
    return [LocationOut.model_validate(loc) for loc in await service.locations()]


@router.post(
    "/inventory/adjustments",
    summary="Receive, write off or count stock",
    responses=problems(404, 422),
)
async def adjust_stock(
    data: Adjustment, store: StoreDep, session: SessionDep, context: ContextDep
) -> StockLevelOut:
    """Changes one variant's on-hand units at one location and writes the change to the
    ledger. ``on_hand`` below the allocated units is allowed (the shortfall shows as
    negative availability, as after a count that found less)."""
    service = InventoryService(session, store, context.runtime.events)
    variant = await session.scalar(
        select(Variant.id).where(
            Variant.id == data.variant_id,
            Variant.account_id == store.account_id,
            Variant.store_id == store.id,
        )
    )
    location = await session.scalar(
        select(Location.id).where(
            Location.id == data.location_id,
            Location.account_id == store.account_id,
            Location.store_id == store.id,
        )
    )
    if variant is None or location is None:
        raise UnprocessableContent("No such variant or location in this store.")
    if await BundleRepository(session, store).bundles_among([data.variant_id]):
        raise UnprocessableContent(
            f"{data.variant_id} is a bundle: its stock is its components'; adjust theirs."
        )
    level = await service.adjust(
        data.variant_id,
        data.location_id,
        delta=data.delta,
        set_on_hand=data.on_hand,
        low_stock_threshold=data.low_stock_threshold,
        reason=data.reason,
    )
    return StockLevelOut.model_validate(level)


@router.get("/inventory", summary="Stock levels of variants", responses=problems(404, 422))
async def stock_levels(
    store: StoreDep,
    session: SessionDep,
    variant_id: Annotated[list[str], Query(max_length=100)],
) -> list[StockLevelOut]:
    """On hand and allocated units per location of up to 100 variants."""
    rows = await session.scalars(
        select(StockLevel)
        .join(Location, Location.id == StockLevel.location_id)
        .where(
            StockLevel.account_id == store.account_id,
            Location.store_id == store.id,
            StockLevel.variant_id.in_(variant_id),
        )
        .order_by(StockLevel.variant_id, StockLevel.location_id)
    )
    return [StockLevelOut.model_validate(r) for r in rows]


@router.get("/inventory/movements", summary="The stock ledger", responses=problems(404))
async def movements(
    store: StoreDep,
    session: SessionDep,
    variant_id: Annotated[str | None, Query(max_length=40)] = None,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Entries older than this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MovementOut]:
    """Every change to on-hand or allocated units, newest first (append-only)."""
    query = select(StockMovement).where(
        StockMovement.account_id == store.account_id, StockMovement.store_id == store.id
    )
    if variant_id is not None:
        query = query.where(StockMovement.variant_id == variant_id)
    if before is not None:
        query = query.where(StockMovement.id < before)
    rows = await session.scalars(query.order_by(StockMovement.id.desc()).limit(limit))
    return [MovementOut.model_validate(r) for r in rows]
