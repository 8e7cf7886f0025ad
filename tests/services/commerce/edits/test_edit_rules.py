"""The pure rules of an order edit: the payment rule, where released units come from,
gift cards giving back, and the checks of the changes."""

from __future__ import annotations

from typing import Any

import pytest
from velox_commerce.db.orders import Order, OrderLine, Payment
from velox_commerce.edits.payment import MoneyPlan, plan_money
from velox_commerce.edits.plan import plan_edit
from velox_commerce.edits.pricing import gift_cards_after
from velox_commerce.edits.repository import NewVariant
from velox_commerce.edits.schemas import AddLine, RemoveLine, SetQuantity
from velox_commerce.edits.stock import releases
from velox_commerce.errors import ResourceNotFound, StateConflict
from velox_shared.errors import UnprocessableContent


def _payment(status: str, **amounts: int) -> Payment:
    return Payment(
        status=status,
        amount_authorized=amounts.get("authorized", 0),
        amount_captured=amounts.get("captured", 0),
        amount_refunded=amounts.get("refunded", 0),
    )


@pytest.mark.parametrize(
    ("payment", "before", "after", "expected"),
    [
        (None, 0, 0, MoneyPlan("none")),
        (_payment("authorized", authorized=5000), 5000, 3000, MoneyPlan("capture_adjusted", 3000)),
        (_payment("authorized", authorized=5000), 3000, 5000, MoneyPlan("capture_adjusted", 5000)),
        (_payment("authorized", authorized=5000), 5000, 5000, MoneyPlan("none")),
        (_payment("captured", captured=5000), 5000, 4000, MoneyPlan("refunded", 1000)),
        (
            _payment("partially_refunded", captured=5000, refunded=500),
            5000,
            4000,
            MoneyPlan("refunded", 500),
        ),
        (_payment("captured", captured=5000), 5000, 5000, MoneyPlan("none")),
    ],
)
def test_the_payment_follows_an_edit_it_can_cover(
    payment: Payment | None, before: int, after: int, expected: MoneyPlan
) -> None:
    assert plan_money(payment, before, after) == expected


@pytest.mark.parametrize(
    ("payment", "after"),
    [
        (None, 1),
        (_payment("not_required"), 100),
        (_payment("authorized", authorized=5000), 5001),
        (_payment("authorized", authorized=5000), 0),
        (_payment("captured", captured=5000, refunded=1000), 4001),
        (_payment("captured", captured=5000), 0),
        (_payment("cancelled"), 100),
    ],
)
def test_an_edit_the_payment_cannot_cover_is_a_conflict(
    payment: Payment | None, after: int
) -> None:
    with pytest.raises(StateConflict):
        plan_money(payment, 1000, after)


def test_released_units_come_from_the_last_locations_first() -> None:
    assert releases({"loc_a": 2, "loc_b": 3}, 4) == {"loc_b": 3, "loc_a": 1}
    assert releases({"loc_a": 2}, 5) == {"loc_a": 2}
    assert releases({}, 2) == {}


def test_gift_cards_get_back_what_a_smaller_total_leaves_them_last_card_first() -> None:
    order = Order(
        breakdown={
            "gift_cards": [
                {"id": "gc_1", "code": "A", "amount": 3000},
                {"id": "gc_2", "code": "B", "amount": 1000},
            ]
        }
    )
    credit = gift_cards_after(order, 2500)
    assert credit.credits == (("gc_2", 1000), ("gc_1", 500))
    assert credit.total == 2500
    assert gift_cards_after(order, 9000).credits == ()


def _line(line_id: str, variant: str, quantity: int) -> OrderLine:
    return OrderLine(
        id=line_id, variant_id=variant, product_id="prod_1", quantity=quantity, unit_price=100
    )


def _variant(variant_id: str, **over: Any) -> NewVariant:
    values: dict[str, Any] = {
        "variant_id": variant_id,
        "product_id": "prod_2",
        "sku": "S",
        "title": "T",
        "track_inventory": True,
        "inventory_policy": "deny",
        "product_status": "active",
        "price": 250,
        **over,
    }
    return NewVariant(**values)


def test_a_plan_prices_kept_lines_as_sold_and_added_ones_now() -> None:
    lines = [_line("ol_1", "var_1", 2), _line("ol_2", "var_2", 1)]
    plan = plan_edit(
        lines,
        [
            SetQuantity(op="set_quantity", line_id="ol_1", quantity=3),
            RemoveLine(op="remove_line", line_id="ol_2"),
            AddLine(op="add_line", variant_id="var_2", quantity=4),
        ],
        {"var_2": _variant("var_2")},
        max_quantity=100,
        max_lines=10,
    )
    inputs = plan.line_inputs(lines)
    assert [(i.variant_id, i.quantity, i.unit_price) for i in inputs] == [
        ("var_1", 3, 100),
        ("var_2", 4, 250),
    ]
    assert [e["op"] for e in plan.log] == ["set_quantity", "remove_line", "add_line"]


@pytest.mark.parametrize(
    ("variant", "quantity", "error"),
    [
        (None, 1, UnprocessableContent),
        (_variant("var_9", product_status="draft"), 1, UnprocessableContent),
        (_variant("var_9", price=None), 1, UnprocessableContent),
        (_variant("var_9"), 101, UnprocessableContent),
    ],
)
def test_a_variant_that_cannot_be_added_is_refused(
    variant: NewVariant | None, quantity: int, error: type[Exception]
) -> None:
    known = {"var_9": variant} if variant is not None else {}
    with pytest.raises(error):
        plan_edit(
            [_line("ol_1", "var_1", 1)],
            [AddLine(op="add_line", variant_id="var_9", quantity=quantity)],
            known,
            max_quantity=100,
            max_lines=10,
        )


def test_a_line_not_on_the_order_is_not_found() -> None:
    with pytest.raises(ResourceNotFound):
        plan_edit(
            [_line("ol_1", "var_1", 1)],
            [RemoveLine(op="remove_line", line_id="ol_x")],
            {},
            max_quantity=100,
            max_lines=10,
        )
