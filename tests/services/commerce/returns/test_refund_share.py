"""The refund of a return: each line's share of what it cost, exact over several returns."""

from __future__ import annotations

import pytest
from velox_commerce.db.aftersales import ReturnLine
from velox_commerce.db.orders import OrderLine
from velox_commerce.returns.service import refund_share, returnable_units


def _ordered(total: int, quantity: int, shipped: int = 0) -> OrderLine:
    return OrderLine(id="ol", total=total, quantity=quantity, fulfilled_quantity=shipped)


def _returned(units: int) -> ReturnLine:
    return ReturnLine(order_line_id="ol", quantity=units)


@pytest.mark.parametrize(
    ("total", "quantity", "returns", "expected"),
    [
        (7239, 3, [2, 1], [4826, 2413]),
        (1000, 3, [1, 1, 1], [333, 334, 333]),  # 333.33, 666.67 - 333, 1000 - 667
        (1001, 2, [1, 1], [501, 500]),  # half up, and the rest
        (0, 4, [4], [0]),
        (999, 1, [1], [999]),
    ],
)
def test_shares_add_up_to_the_line_total(
    total: int, quantity: int, returns: list[int], expected: list[int]
) -> None:
    line = _ordered(total, quantity)
    before = 0
    shares = []
    for units in returns:
        shares.append(refund_share([_returned(units)], {"ol": line}, {"ol": before}))
        before += units
    assert shares == expected
    if before == quantity:
        assert sum(shares) == total


def test_lines_of_one_return_are_summed() -> None:
    lines = {
        "a": OrderLine(id="a", total=600, quantity=3),
        "b": OrderLine(id="b", total=50, quantity=1),
    }
    returned = [
        ReturnLine(order_line_id="a", quantity=1),
        ReturnLine(order_line_id="b", quantity=1),
    ]
    assert refund_share(returned, lines, {}) == 250


@pytest.mark.parametrize(
    ("shipped", "in_returns", "expected"), [(0, 0, 0), (3, 0, 3), (3, 2, 1), (2, 5, 0)]
)
def test_returnable_units_are_shipped_less_returned(
    shipped: int, in_returns: int, expected: int
) -> None:
    line = _ordered(100, 5, shipped)
    assert returnable_units(line, {"ol": in_returns}) == expected
