"""The stock arithmetic on its own (no database): availability and allocation plans."""

from __future__ import annotations

from velox_commerce.inventory.allocation import Shortage, available, plan
from velox_commerce.inventory.repository import StockRow


def row(location: str, on_hand: int, allocated: int = 0, priority: int = 0) -> StockRow:
    return StockRow("var_1", location, priority, on_hand, allocated, None)


def test_available_is_on_hand_less_allocated_less_other_holds() -> None:
    rows = [row("loc_a", 10, 3), row("loc_b", 5, 0)]
    assert available(rows, held=0) == 12
    assert available(rows, held=4) == 8
    assert available([], held=0) == 0


def test_a_count_below_allocated_shows_as_negative_availability() -> None:
    assert available([row("loc_a", 1, 3)], held=0) == -2
    assert available([row("loc_a", 1, 3)], held=1) == -3


def test_allocation_takes_from_the_lowest_priority_first() -> None:
    rows = [row("loc_b", 5, priority=2), row("loc_a", 3, priority=1), row("loc_c", 9, priority=3)]
    assert plan(rows, 7, 0, "deny") == [("loc_a", 3), ("loc_b", 4)]
    assert plan(rows, 2, 0, "deny") == [("loc_a", 2)]


def test_equal_priorities_fall_back_to_the_location_id() -> None:
    rows = [row("loc_z", 4), row("loc_m", 4)]
    assert plan(rows, 5, 0, "deny") == [("loc_m", 4), ("loc_z", 1)]


def test_allocated_units_are_not_taken_again() -> None:
    rows = [row("loc_a", 5, allocated=4, priority=0), row("loc_b", 5, priority=1)]
    assert plan(rows, 3, 0, "deny") == [("loc_a", 1), ("loc_b", 2)]


def test_other_carts_holds_are_kept_off_the_last_locations() -> None:
    rows = [row("loc_a", 5, priority=0), row("loc_b", 3, priority=1)]
    # 4 units held by other carts: all of loc_b's 3 and one of loc_a's.
    assert plan(rows, 4, 4, "deny") == [("loc_a", 4)]
    assert plan(rows, 5, 4, "deny") == Shortage("var_1", 5, 4)


def test_a_location_short_of_its_allocations_gives_nothing() -> None:
    rows = [row("loc_a", 0, allocated=2, priority=0), row("loc_b", 5, priority=1)]
    assert plan(rows, 3, 0, "deny") == [("loc_b", 3)]
    assert plan(rows, 4, 0, "deny") == Shortage("var_1", 4, 3)


def test_deny_refuses_a_shortage_and_reports_what_is_free() -> None:
    rows = [row("loc_a", 2), row("loc_b", 1, priority=1)]
    assert plan(rows, 4, 0, "deny") == Shortage("var_1", 4, 3)
    assert plan(rows, 3, 0, "deny") == [("loc_a", 2), ("loc_b", 1)]
    # Never a negative availability in the report.
    assert plan([row("loc_a", 1, allocated=3)], 1, 0, "deny") == Shortage("var_1", 1, 0)


def test_backorder_puts_the_rest_past_zero_on_the_first_location() -> None:
    rows = [row("loc_b", 1, priority=1), row("loc_a", 2, priority=0)]
    assert plan(rows, 5, 0, "backorder") == [("loc_a", 4), ("loc_b", 1)]


def test_backorder_with_nothing_free_goes_to_the_first_location() -> None:
    rows = [row("loc_a", 2, priority=0), row("loc_b", 0, priority=1)]
    assert plan(rows, 3, 2, "backorder") == [("loc_a", 3)]
    assert plan(rows, 3, 2, "preorder") == [("loc_a", 3)]


def test_backorder_within_stock_is_a_plain_allocation() -> None:
    rows = [row("loc_a", 2, priority=0), row("loc_b", 4, priority=1)]
    assert plan(rows, 3, 0, "backorder") == [("loc_a", 2), ("loc_b", 1)]
