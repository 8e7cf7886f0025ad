"""/v1/commerce/stores/{store_id}/shipping-zones and /shipping-methods: where a store
delivers and at what price."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.shipping.schemas import (
    MethodCreate,
    MethodOut,
    MethodUpdate,
    ZoneCreate,
    ZoneOut,
)
from velox_commerce.shipping.service import ShippingService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: shipping"])

ZoneId = Annotated[str, Path(max_length=40, description="The zone's id (`zone_...`).")]
MethodId = Annotated[str, Path(max_length=40, description="The method's id (`ship_...`).")]


@router.post(
    "/shipping-zones",
    status_code=status.HTTP_201_CREATED,
    summary="Create a shipping zone",
    responses=problems(404, 422),
)
async def create_zone(data: ZoneCreate, store: StoreDep, session: SessionDep) -> ZoneOut:
    """A named set of countries (ISO 3166-1 alpha-2) that the zone's methods serve."""
    return await ShippingService(session, store).create_zone(data)


@router.get("/shipping-zones", summary="List shipping zones", responses=problems(404))
async def list_zones(store: StoreDep, session: SessionDep) -> list[ZoneOut]:
    """Every zone of the store with its methods, oldest first."""
    return await ShippingService(session, store).list_zones()


@router.delete(
    "/shipping-zones/{zone_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a shipping zone",
    responses=problems(404, 422),
)
async def delete_zone(zone_id: ZoneId, store: StoreDep, session: SessionDep) -> None:
    """Removes the zone and its methods; carts that chose one of them choose again."""
    await ShippingService(session, store).delete_zone(zone_id)


@router.post(
    "/shipping-zones/{zone_id}/methods",
    status_code=status.HTTP_201_CREATED,
    summary="Add a shipping method to a zone",
    responses=problems(404, 422),
)
async def create_method(
    zone_id: ZoneId, data: MethodCreate, store: StoreDep, session: SessionDep
) -> MethodOut:
    """A rate in one of the store's currencies: ``flat`` (an amount), or tiers of
    ``[min, amount]`` by cart ``weight`` (grams) or ``price`` (subtotal after discounts);
    ``free_over`` makes it free from a subtotal on."""
    return await ShippingService(session, store).create_method(zone_id, data)


@router.get(
    "/shipping-zones/{zone_id}/methods",
    summary="List a zone's shipping methods",
    responses=problems(404, 422),
)
async def list_methods(zone_id: ZoneId, store: StoreDep, session: SessionDep) -> list[MethodOut]:
    """The zone's methods, oldest first."""
    return await ShippingService(session, store).list_methods(zone_id)


@router.patch(
    "/shipping-methods/{method_id}",
    summary="Update a shipping method",
    responses=problems(404, 422),
)
async def update_method(
    method_id: MethodId, data: MethodUpdate, store: StoreDep, session: SessionDep
) -> MethodOut:
    """Change the name, currency or rate; the method that results must pass the same rules
    as a new one (changing ``kind`` means sending the new rate with it)."""
    return await ShippingService(session, store).update_method(method_id, data)


@router.delete(
    "/shipping-methods/{method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a shipping method",
    responses=problems(404, 422),
)
async def delete_method(method_id: MethodId, store: StoreDep, session: SessionDep) -> None:
    """Removes the method; carts that chose it choose again."""
    await ShippingService(session, store).delete_method(method_id)
