"""Shipping zone and method queries; every one filters by account and store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from velox_commerce.db.checkout import ShippingMethod, ShippingZone
from velox_commerce.repository import StoreRepository

__all__ = ["MethodRepository", "ZoneRepository"]


class ZoneRepository(StoreRepository[ShippingZone]):
    model = ShippingZone

    async def all(self) -> list[ShippingZone]:
        query = self.query().order_by(ShippingZone.created_at, ShippingZone.id)
        return list(await self.session.scalars(query))


class MethodRepository(StoreRepository[ShippingMethod]):
    model = ShippingMethod

    async def of_zones(self, zone_ids: Sequence[str]) -> dict[str, list[ShippingMethod]]:
        """The methods of each zone, oldest first."""
        if not zone_ids:
            return {}
        query = (
            self.query()
            .where(ShippingMethod.zone_id.in_(list(zone_ids)))
            .order_by(ShippingMethod.created_at, ShippingMethod.id)
        )
        grouped: dict[str, list[ShippingMethod]] = defaultdict(list)
        for method in await self.session.scalars(query):
            grouped[method.zone_id].append(method)
        return grouped
