"""The stock side of an order edit: allocate the units a line gains, release those it
loses, at the locations the order holds them.

Pure planning (:func:`releases`) is apart from the database so it can be tested alone;
:func:`move_stock` runs the plan under the variants' row locks, taken once in the fixed
order (variant id, location id) like every other stock operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from velox_commerce.errors import StateConflict
from velox_commerce.inventory.allocation import VariantStock
from velox_commerce.inventory.service import InventoryService

__all__ = ["StockChange", "move_stock", "releases"]


@dataclass(frozen=True, slots=True)
class StockChange:
    """A variant's units before and after the edit, where the order holds them now."""

    variant_id: str
    before: int
    after: int
    allocations: Mapping[str, int]


def releases(allocations: Mapping[str, int], units: int) -> dict[str, int]:
    """Which locations give back ``units``: the last ones first (allocation takes from
    the first), never more than a location holds."""
    taken: dict[str, int] = {}
    left = units
    for location in sorted(allocations, reverse=True):
        if left <= 0:
            break
        give = min(left, int(allocations[location]))
        if give > 0:
            taken[location] = give
            left -= give
    return taken


def _merge(allocations: Mapping[str, int], delta: Mapping[str, int], sign: int) -> dict[str, int]:
    merged = {loc: int(units) for loc, units in allocations.items()}
    for location, units in delta.items():
        merged[location] = merged.get(location, 0) + sign * units
    return {loc: units for loc, units in merged.items() if units > 0}


async def move_stock(
    inventory: InventoryService,
    order_id: str,
    cart_id: str,
    changes: list[StockChange],
    stock: Mapping[str, VariantStock],
) -> dict[str, dict[str, int]]:
    """Apply the edit's stock changes; returns each changed variant's new allocations.

    Raises a 409 ``invalid-state`` naming the variants short of stock (nothing moved).
    """
    await inventory.repo.lock(sorted({c.variant_id for c in changes}))
    gains = {c.variant_id: c.after - c.before for c in changes if c.after > c.before}
    allocated = await inventory.allocate(order_id, cart_id, gains, stock) if gains else {}
    if isinstance(allocated, list):
        raise StateConflict(
            "Not enough stock for the edit.",
            extensions={
                "shortages": [
                    {"variant_id": s.variant_id, "requested": s.requested, "available": s.available}
                    for s in allocated
                ]
            },
        )
    given = {
        c.variant_id: releases(c.allocations, c.before - c.after)
        for c in changes
        if c.after < c.before
    }
    if any(given.values()):
        await inventory.release(order_id, {v: parts for v, parts in given.items() if parts})
    result: dict[str, dict[str, int]] = {}
    for change in changes:
        gained = dict(allocated.get(change.variant_id, []))
        current = _merge(change.allocations, gained, 1)
        result[change.variant_id] = _merge(current, given.get(change.variant_id, {}), -1)
    return result
