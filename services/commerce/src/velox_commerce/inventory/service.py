"""Stock operations, each inside the caller's transaction: receive or adjust, reserve for
a checkout, allocate to an order, release an allocation, and the low-stock events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import StockLow
from velox_shared.events import EventTables, publish_many

from velox_commerce.bundles.stock import BUNDLE_KEY_SEPARATOR
from velox_commerce.db.catalog import Store
from velox_commerce.db.inventory import Location, StockLevel
from velox_commerce.inventory.allocation import Shortage, VariantStock, available, plan
from velox_commerce.inventory.repository import Also, LedgerEntry, StockRepository, StockRow

__all__ = ["Allocation", "InventoryService", "PlannedAllocation", "by_stock_variant"]


def by_stock_variant(
    allocations: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, int]]:
    """Order line allocations as units per stock-holding variant and location (a bundle
    line's keys name the component)."""
    merged: dict[str, dict[str, int]] = defaultdict(dict)
    for variant, parts in allocations.items():
        for key, units in parts.items():
            component, _, location = key.rpartition(BUNDLE_KEY_SEPARATOR)
            target = merged[component or variant]
            target[location] = target.get(location, 0) + int(units)
    return dict(merged)


# {variant_id: [(location_id, units), ...]}
Allocation = dict[str, list[tuple[str, int]]]


@dataclass(frozen=True, slots=True)
class PlannedAllocation:
    """Where an order's units come from, with the locked rows and others' holds it was
    planned on (for the low-stock events)."""

    plans: Allocation
    rows: Mapping[str, list[StockRow]]
    held: Mapping[str, int]


class InventoryService:
    def __init__(self, session: AsyncSession, store: Store, events: EventTables) -> None:
        self.session = session
        self.store = store
        self.events = events
        self.repo = StockRepository(session, store.account_id, store.id)

    @staticmethod
    def _tracked(demand: Mapping[str, int], stock: Mapping[str, VariantStock]) -> list[str]:
        return sorted(v for v in demand if stock[v].track_inventory)

    async def _locked(self, variants: Sequence[str]) -> dict[str, list[StockRow]]:
        rows: dict[str, list[StockRow]] = defaultdict(list)
        for row in await self.repo.lock(variants):
            rows[row.variant_id].append(row)
        return rows

    async def reserve(
        self,
        cart_id: str,
        demand: Mapping[str, int],
        stock: Mapping[str, VariantStock],
        until: datetime,
    ) -> list[Shortage]:
        """Hold the cart's units until ``until``, or say which variants fall short (then
        nothing is held)."""
        tracked = self._tracked(demand, stock)
        rows = await self._locked(tracked)
        held = await self.repo.held_by_others(tracked, cart_id) if tracked else {}
        shortages = []
        for variant in tracked:
            if stock[variant].policy != "deny":
                continue
            free = available(rows.get(variant, []), held.get(variant, 0))
            if demand[variant] > free:
                shortages.append(Shortage(variant, demand[variant], max(free, 0)))
        if shortages:
            return shortages
        holds = {v: demand[v] for v in tracked}
        if holds:
            await self.repo.reserve(cart_id, holds, until, replace=True)
        else:
            await self.repo.release(cart_id)
        return []

    async def allocate(
        self,
        order_id: str,
        cart_id: str,
        demand: Mapping[str, int],
        stock: Mapping[str, VariantStock],
    ) -> Allocation | list[Shortage]:
        """Allocate the order's units (the cart's own holds count as free for it) and drop
        the cart's holds; or the shortages, changing nothing."""
        planned = await self.plan_allocation(cart_id, demand, stock)
        if isinstance(planned, list):
            return planned
        await self.apply_allocation(planned, order_id, cart_id)
        return planned.plans

    async def plan_allocation(
        self, cart_id: str, demand: Mapping[str, int], stock: Mapping[str, VariantStock]
    ) -> PlannedAllocation | list[Shortage]:
        """Lock the stock rows of ``demand`` and plan where its units come from (the
        cart's own holds count as free for it); or the shortages. The locks stand until
        the transaction ends, so a caller plans as late as it can and commits soon after
        :meth:`apply_allocation`."""
        tracked = self._tracked(demand, stock)
        rows = await self._locked(tracked)
        held = await self.repo.held_by_others(tracked, cart_id) if tracked else {}
        plans: Allocation = {}
        shortages: list[Shortage] = []
        for variant in tracked:
            result = plan(
                rows.get(variant, []), demand[variant], held.get(variant, 0), stock[variant].policy
            )
            if isinstance(result, Shortage):
                shortages.append(Shortage(variant, result.requested, result.available))
            else:
                plans[variant] = result
        if shortages:
            return shortages
        return PlannedAllocation(plans, rows, held)

    async def apply_allocation(
        self, planned: PlannedAllocation, order_id: str, cart_id: str, also: Sequence[Also] = ()
    ) -> dict[str, list[str]]:
        """Write a planned allocation, drop the cart's holds and run ``also`` in the same
        statement; publish low-stock events. Returns what ``also`` returned."""
        returned = await self.repo.move(
            [
                LedgerEntry(variant, location, "allocate", 0, units, order_id)
                for variant, parts in planned.plans.items()
                for location, units in parts
            ],
            release_cart=cart_id,
            also=also,
        )
        await self._low_stock(
            planned.rows, planned.held, {v: dict(p) for v, p in planned.plans.items()}
        )
        return returned

    async def release(self, order_id: str, allocations: Mapping[str, Mapping[str, int]]) -> None:
        """Give back an order's allocated units (a cancelled order): ``{variant: {location:
        units}}``, where a bundle's line holds ``{"<component>/<location>": units}``."""
        allocations = by_stock_variant(allocations)
        variants = sorted(allocations)
        await self.repo.lock(variants)
        await self.repo.move(
            [
                LedgerEntry(v, loc, "release", 0, -units, order_id)
                for v in variants
                for loc, units in sorted(allocations[v].items())
                if units
            ]
        )

    async def _low_stock(
        self,
        rows: Mapping[str, list[StockRow]],
        held: Mapping[str, int],
        taken: Mapping[str, Mapping[str, int]],
    ) -> None:
        events = []
        for variant, parts in taken.items():
            variant_rows = rows.get(variant, [])
            thresholds = [r.threshold for r in variant_rows if r.threshold is not None]
            if not thresholds:
                continue
            threshold = max(thresholds)
            before = available(variant_rows, held.get(variant, 0))
            after = before - sum(parts.values())
            if after <= threshold < before:
                events.append(
                    StockLow(
                        store_id=self.store.id,
                        variant_id=variant,
                        available=after,
                        threshold=threshold,
                    )
                )
        if events:
            await publish_many(self.session, self.events, events, account_id=self.store.account_id)

    async def adjust(
        self,
        variant_id: str,
        location_id: str,
        *,
        delta: int | None,
        set_on_hand: int | None,
        low_stock_threshold: int | None,
        reason: str | None,
    ) -> StockLevel:
        """Receive (positive delta), write off (negative) or count (set on hand) stock."""
        await self.repo.ensure_rows(variant_id, location_id)
        rows = await self.repo.lock([variant_id])
        row = next(r for r in rows if r.location_id == location_id)
        change = delta if delta is not None else (set_on_hand or 0) - row.on_hand
        if change:
            await self.repo.apply([(variant_id, location_id, change, 0)])
            kind = "receive" if delta is not None and change > 0 else "adjust"
            await self.repo.record(
                [LedgerEntry(variant_id, location_id, kind, change, 0, None, reason)]
            )
        level = await self.session.scalar(
            select(StockLevel)
            .where(StockLevel.variant_id == variant_id, StockLevel.location_id == location_id)
            .execution_options(populate_existing=True)
        )
        assert level is not None
        if low_stock_threshold is not None:
            level.low_stock_threshold = low_stock_threshold
            await self.session.flush()
        return level

    async def locations(self) -> list[Location]:
        rows = await self.session.scalars(
            select(Location)
            .where(Location.account_id == self.store.account_id, Location.store_id == self.store.id)
            .order_by(Location.priority, Location.id)
        )
        return list(rows)
