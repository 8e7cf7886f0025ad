"""An edit that lowers an order's total below what its gift cards paid gives the
difference back to them (the card applied last first) through the gift card
repository's one credit function: the cards are updated in id order, and before the
stock rows are locked, the order checkout takes them in, so the two never deadlock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.returns.purchase import balances, gift_card_order


@contextmanager
def statements() -> Iterator[list[tuple[str, str]]]:
    """The SQL the app (served in this process) runs meanwhile, with its parameters."""
    seen: list[tuple[str, str]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, repr(parameters)))

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", hook)


def _first(seen: list[tuple[str, str]], sql: str, value: str) -> int:
    return next(i for i, (s, p) in enumerate(seen) if sql in s and value in p)


async def test_an_edit_credits_gift_cards_in_id_order_before_locking_stock(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("editgc", unique))
    seeded = await seed(client, stock=[5], prices=[1000])
    order, cards = await gift_card_order(client, seeded, {seeded.variants[0]: 3}, 2000, 1000)
    applied = [card["id"] for card in order["breakdown"]["gift_cards"]]
    paid = {card["id"]: card["amount"] for card in order["breakdown"]["gift_cards"]}
    assert sorted(paid.values()) == [1000, 2000]
    assert await balances(client, seeded, *cards) == [0, 0]
    # Last applied first: the card applied last gets all it paid back, the first the rest.
    last, first = applied[-1], applied[0]
    change = {"op": "set_quantity", "line_id": order["lines"][0]["id"], "quantity": 1}
    with statements() as seen:
        edit = ok(
            await client.post(
                seeded.path(f"/orders/{order['id']}/edits"), json={"changes": [change]}
            ),
            201,
        )
    assert edit["order"]["total"] == 1000 and edit["order"]["gift_card_total"] == 1000
    after = {card["id"]: card["amount"] for card in edit["order"]["breakdown"]["gift_cards"]}
    assert after == {last: 0, first: 1000}
    back = {last: paid[last], first: paid[first] - 1000}
    assert await balances(client, seeded, *cards) == [back[card["id"]] for card in cards]

    credits = [_first(seen, "UPDATE commerce.gift_cards", card_id) for card_id in sorted(paid)]
    assert credits == sorted(credits)  # card id order, whatever order they were applied in
    stock = _first(seen, "FOR UPDATE OF s", seeded.variants[0])
    assert max(credits) < stock
