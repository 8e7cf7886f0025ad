"""The arithmetic of bundles, apart from the database so it can be tested on its own.

A bundle sells ``n`` when every component has ``n * quantity`` units: its availability is
the least, over its components, of ``available // quantity``. A component that does not
limit sales (stock not tracked, or backorders/preorders allowed) does not count; a bundle
none of whose components limits it is unlimited (``None``). In a cart a bundle line asks
for its components' units, summed with the cart's other lines of the same variants, so
checkout locks, reserves and allocates component stock in its one sorted order.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from velox_commerce.inventory.allocation import VariantStock

__all__ = [
    "BUNDLE_KEY_SEPARATOR",
    "Component",
    "DemandLine",
    "bundle_available",
    "component_key",
    "fulfilment",
    "line_allocations",
    "stock_demand",
]

# A bundle's order line records its allocations as ``{"<component>/<location>": units}``
# (location ids never hold a ``/``), so :meth:`InventoryService.release` gives them back.
BUNDLE_KEY_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class Component:
    """``quantity`` units of ``variant_id`` in one unit of a bundle, with its stock rules."""

    variant_id: str
    quantity: int
    track_inventory: bool = True
    policy: str = "deny"

    @property
    def limits(self) -> bool:
        return self.track_inventory and self.policy == "deny"


class DemandLine(Protocol):
    """What checkout knows of a cart line (``components`` empty unless a bundle)."""

    @property
    def line_id(self) -> str: ...
    @property
    def variant_id(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def track_inventory(self) -> bool: ...
    @property
    def inventory_policy(self) -> str: ...
    @property
    def components(self) -> tuple[Component, ...]: ...


def component_key(variant_id: str, location_id: str) -> str:
    return f"{variant_id}{BUNDLE_KEY_SEPARATOR}{location_id}"


def bundle_available(components: Iterable[Component], available: Mapping[str, int]) -> int | None:
    """Bundles the components' ``available`` units make (None: nothing limits them)."""
    counts = [max(available.get(c.variant_id, 0), 0) // c.quantity for c in components if c.limits]
    return min(counts) if counts else None


def stock_demand(
    lines: Sequence[DemandLine],
) -> tuple[dict[str, int], dict[str, VariantStock]]:
    """Units wanted per variant (bundles replaced by their components) and each one's
    stock rules."""
    demand: dict[str, int] = defaultdict(int)
    stock: dict[str, VariantStock] = {}
    for line in lines:
        if line.components:
            for c in line.components:
                demand[c.variant_id] += c.quantity * line.quantity
                stock[c.variant_id] = VariantStock(c.variant_id, c.track_inventory, c.policy)
        else:
            demand[line.variant_id] += line.quantity
            stock[line.variant_id] = VariantStock(
                line.variant_id, line.track_inventory, line.inventory_policy
            )
    return dict(demand), stock


def line_allocations(
    lines: Sequence[DemandLine], plans: Mapping[str, Sequence[tuple[str, int]]]
) -> dict[str, dict[str, int]]:
    """Share each variant's allocated ``(location, units)`` among the lines that asked for
    it, in line order: ``{line_id: {location: units}}``, and for a bundle line
    ``{line_id: {"<component>/<location>": units}}``."""
    left = {v: deque(parts) for v, parts in plans.items()}

    def take(variant: str, units: int) -> list[tuple[str, int]]:
        queue: deque[tuple[str, int]] = left.get(variant, deque())
        taken = []
        while units > 0 and queue:
            location, free = queue.popleft()
            used = min(free, units)
            taken.append((location, used))
            units -= used
            if free > used:
                queue.appendleft((location, free - used))
        return taken

    shares: dict[str, dict[str, int]] = {}
    for line in lines:
        share: dict[str, int] = defaultdict(int)
        if line.components:
            for c in line.components:
                for location, units in take(c.variant_id, c.quantity * line.quantity):
                    share[component_key(c.variant_id, location)] += units
        else:
            for location, units in take(line.variant_id, line.quantity):
                share[location] += units
        shares[line.line_id] = dict(share)
    return shares


def fulfilment(
    variant_id: str, allocations: Mapping[str, int], open_units: int, units: int
) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
    """Shipping ``units`` of an order line with ``open_units`` left: the ``(variant,
    location, units)`` leaving stock and the line's allocations after. A bundle line ships
    each component's share (its allocated units stay ``quantity x open units``), whatever
    the bundle holds today; locations are taken in id order."""
    per_variant: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, allocated in sorted(allocations.items()):
        component, _, location = key.rpartition(BUNDLE_KEY_SEPARATOR)
        per_variant[component or variant_id].append((location, int(allocated)))
    taken: list[tuple[str, str, int]] = []
    left = dict(allocations)
    for variant, parts in per_variant.items():
        total = sum(units_ for _, units_ in parts)
        want = total * units // open_units if open_units else 0
        for location, allocated in parts:
            used = min(want, allocated)
            if used:
                taken.append((variant, location, used))
                key = location if variant == variant_id else component_key(variant, location)
                left[key] = allocated - used
                want -= used
    return taken, left
