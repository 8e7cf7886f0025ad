"""The arithmetic of bundles: derived stock, demand and sharing allocations per line."""

from __future__ import annotations

from dataclasses import dataclass

from velox_commerce.bundles.stock import (
    Component,
    bundle_available,
    fulfilment,
    line_allocations,
    stock_demand,
)
from velox_commerce.inventory.allocation import VariantStock
from velox_commerce.inventory.service import by_stock_variant


@dataclass(frozen=True)
class Line:
    line_id: str
    variant_id: str
    quantity: int
    track_inventory: bool = True
    inventory_policy: str = "deny"
    components: tuple[Component, ...] = ()


def test_a_bundle_makes_the_least_of_its_components_whole_units() -> None:
    parts = [Component("a", 2), Component("b", 3)]
    assert bundle_available(parts, {"a": 5, "b": 7}) == 2
    assert bundle_available(parts, {"a": 5, "b": 2}) == 0
    assert bundle_available(parts, {"a": -4, "b": 9}) == 0  # oversold by a count
    assert bundle_available(parts, {"b": 9}) == 0  # no stock row at all
    # components that do not limit sales do not count; none limiting: unlimited
    loose = [Component("a", 2, track_inventory=False), Component("b", 3, policy="backorder")]
    assert bundle_available([*loose, Component("c", 1)], {"c": 4}) == 4
    assert bundle_available(loose, {}) is None


def test_bundle_lines_ask_for_their_components_summed_with_plain_lines() -> None:
    kit = Line("l1", "kit", 2, components=(Component("a", 1), Component("b", 3, policy="preorder")))
    plain = Line("l2", "a", 4)
    demand, stock = stock_demand([kit, plain])
    assert demand == {"a": 6, "b": 6}
    assert stock["b"] == VariantStock("b", True, "preorder")
    assert "kit" not in stock


def test_allocations_are_shared_out_line_by_line() -> None:
    kit = Line("l1", "kit", 2, components=(Component("a", 1), Component("b", 3)))
    plain = Line("l2", "a", 3)
    plans = {"a": [("loc1", 4), ("loc2", 1)], "b": [("loc2", 6)]}
    shares = line_allocations([kit, plain], plans)
    assert shares == {"l1": {"a/loc1": 2, "b/loc2": 6}, "l2": {"loc1": 2, "loc2": 1}}
    # untracked variants have no plan and no allocations
    assert line_allocations([Line("l3", "x", 1)], {}) == {"l3": {}}
    # what a cancelled order gives back, per stock-holding variant
    released = by_stock_variant({"kit": shares["l1"], "a": shares["l2"]})
    assert released == {"a": {"loc1": 4, "loc2": 1}, "b": {"loc2": 6}}


def test_shipping_a_bundle_line_takes_each_component_share() -> None:
    # 2 kits of (1 a + 3 b) allocated; ship 1 kit, then the other
    allocations = {"a/loc1": 2, "b/loc1": 4, "b/loc2": 2}
    taken, left = fulfilment("kit", allocations, open_units=2, units=1)
    assert taken == [("a", "loc1", 1), ("b", "loc1", 3)]
    assert left == {"a/loc1": 1, "b/loc1": 1, "b/loc2": 2}
    taken, left = fulfilment("kit", left, open_units=1, units=1)
    assert taken == [("a", "loc1", 1), ("b", "loc1", 1), ("b", "loc2", 2)]
    assert set(left.values()) == {0}
    # a plain line ships its own units
    taken, left = fulfilment("a", {"loc1": 1, "loc2": 3}, open_units=4, units=2)
    assert taken == [("a", "loc1", 1), ("a", "loc2", 1)] and left == {"loc1": 0, "loc2": 2}
