"""The arithmetic of stock, apart from the database so it can be tested on its own.

``available`` = on hand - allocated, summed over the variant's locations, less the live
reservations of other carts. Allocation takes from locations by priority (then id); a
variant that allows backorders or preorders takes what is there and puts the rest on
its first location, past zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from velox_commerce.inventory.repository import StockRow

__all__ = ["Shortage", "VariantStock", "available", "plan"]


@dataclass(frozen=True, slots=True)
class VariantStock:
    variant_id: str
    track_inventory: bool
    policy: str  # deny | backorder | preorder


@dataclass(frozen=True, slots=True)
class Shortage:
    variant_id: str
    requested: int
    available: int


def available(rows: Sequence[StockRow], held: int) -> int:
    return sum(r.on_hand - r.allocated for r in rows) - held


def plan(
    rows: Sequence[StockRow], quantity: int, held: int, policy: str
) -> list[tuple[str, int]] | Shortage:
    """Where ``quantity`` units come from, as ``(location, units)``, or the shortage."""
    free = available(rows, held)
    variant = rows[0].variant_id if rows else ""
    if quantity > free and policy == "deny":
        return Shortage(variant, quantity, max(free, 0))
    ordered = sorted(rows, key=lambda r: (r.priority, r.location_id))
    left = quantity
    # Other carts' holds are not tied to a location: leave them on the last locations.
    spare_for_holds = held
    taken: list[tuple[str, int]] = []
    for row in reversed(ordered):
        keep = min(max(row.on_hand - row.allocated, 0), spare_for_holds)
        spare_for_holds -= keep
        row_free = max(row.on_hand - row.allocated, 0) - keep
        taken.append((row.location_id, row_free))
    taken.reverse()
    result: list[tuple[str, int]] = []
    for location, free_here in taken:
        if left == 0:
            break
        units = min(free_here, left)
        if units > 0:
            result.append((location, units))
            left -= units
    if left > 0 and ordered:
        # Backorder/preorder: the rest goes past zero on the first location.
        first = ordered[0].location_id
        merged = dict(result)
        merged[first] = merged.get(first, 0) + left
        result = [(loc, units) for loc, units in merged.items()]
    return result
