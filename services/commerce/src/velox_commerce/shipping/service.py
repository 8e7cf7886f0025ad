"""Shipping rules: zones of ISO countries, each with methods priced flat or by tiers of
weight or subtotal (:func:`~velox_commerce.shipping.schemas.check_rules`) in a currency the
store offers. A country may sit in several zones: a cart then sees the methods of all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id

from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import ShippingMethod, ShippingZone
from velox_commerce.errors import ResourceNotFound
from velox_commerce.shipping.repository import MethodRepository, ZoneRepository
from velox_commerce.shipping.schemas import (
    RULE_FIELDS,
    MethodCreate,
    MethodOut,
    MethodUpdate,
    ZoneCreate,
    ZoneOut,
    check_rules,
)
from velox_commerce.store_rules import offered_currency

__all__ = ["ShippingService", "method_out"]


def method_out(method: ShippingMethod) -> MethodOut:
    return MethodOut(
        id=method.id,
        zone_id=method.zone_id,
        name=method.name,
        kind=method.kind,
        currency=method.currency,
        # The column holds 0 for tiered methods; on the wire they have no amount.
        amount=method.amount if method.kind == "flat" else None,
        tiers=[(int(low), int(amount)) for low, amount in method.tiers],
        free_over=method.free_over,
        created_at=method.created_at,
    )


class ShippingService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.zones = ZoneRepository(session, store)
        self.methods = MethodRepository(session, store)

    async def _zone(self, zone_id: str) -> ShippingZone:
        zone = await self.zones.get(zone_id)
        if zone is None:
            raise ResourceNotFound.of("shipping zone", zone_id)
        return zone

    async def _method(self, method_id: str) -> ShippingMethod:
        method = await self.methods.get(method_id, lock=True)
        if method is None:
            raise ResourceNotFound.of("shipping method", method_id)
        return method

    async def create_zone(self, data: ZoneCreate) -> ZoneOut:
        zone = ShippingZone(
            id=new_id("zone"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            name=data.name,
            countries=data.countries,
        )
        await self.zones.add(zone)
        return _zone_out(zone, [])

    async def list_zones(self) -> list[ZoneOut]:
        zones = await self.zones.all()
        methods = await self.methods.of_zones([zone.id for zone in zones])
        return [_zone_out(zone, methods.get(zone.id, [])) for zone in zones]

    async def delete_zone(self, zone_id: str) -> None:
        """The zone and its methods (carts that chose one of them must choose again)."""
        await self.zones.delete(await self._zone(zone_id))

    async def create_method(self, zone_id: str, data: MethodCreate) -> MethodOut:
        zone = await self._zone(zone_id)
        method = ShippingMethod(
            id=new_id("ship"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            zone_id=zone.id,
            name=data.name,
            kind=data.kind,
            currency=offered_currency(self.store, data.currency),
            amount=data.amount or 0,
            tiers=[list(tier) for tier in data.tiers],
            free_over=data.free_over,
        )
        return method_out(await self.methods.add(method))

    async def list_methods(self, zone_id: str) -> list[MethodOut]:
        zone = await self._zone(zone_id)
        methods = await self.methods.of_zones([zone.id])
        return [method_out(method) for method in methods.get(zone.id, [])]

    async def update_method(self, method_id: str, data: MethodUpdate) -> MethodOut:
        method = await self._method(method_id)
        changes = data.model_dump(exclude_unset=True)
        current = method_out(method).model_dump(include=set(RULE_FIELDS))
        try:
            check_rules(current | changes)
        except ValueError as exc:
            raise UnprocessableContent(str(exc)) from None
        if "currency" in changes:
            offered_currency(self.store, changes["currency"])
        values: dict[str, Any] = {**changes}
        if "amount" in values:
            values["amount"] = values["amount"] or 0
        if "tiers" in values:
            values["tiers"] = [list(tier) for tier in values["tiers"]]
        for name, value in values.items():
            setattr(method, name, value)
        await self.session.flush()
        return method_out(method)

    async def delete_method(self, method_id: str) -> None:
        await self.methods.delete(await self._method(method_id))


def _zone_out(zone: ShippingZone, methods: list[ShippingMethod]) -> ZoneOut:
    return ZoneOut(
        id=zone.id,
        name=zone.name,
        countries=list(zone.countries),
        methods=[method_out(method) for method in methods],
        created_at=zone.created_at,
    )
