"""A return requested with an ``Idempotency-Key`` is opened once, even when the same
request is sent several times at the same moment: every copy gets the first return, and
the order has one. Keys are per account; the key of a return of another order is a 409."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.at_once import AT_ONCE, at_once, one_key_on_two_orders, same_answer
from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import paid_order, ship
from tests.services.commerce.setup.helpers import problem


async def _shipped(shop: Shop, client: httpx.AsyncClient, seeded: Seeded) -> dict[str, Any]:
    """An order of 3 units, all shipped: room for the same return of one unit three times."""
    order = await paid_order(shop, client, seeded, {seeded.variants[0]: 3})
    await ship(client, seeded, order, [3])
    return order


async def _return(
    client: httpx.AsyncClient,
    seeded: Seeded,
    order: dict[str, Any],
    key: str | None,
    units: int = 1,
) -> httpx.Response:
    line = order["lines"][0]["id"]
    return await client.post(
        seeded.path(f"/orders/{order['id']}/returns"),
        json={"lines": [{"order_line_id": line, "quantity": units}], "reason": "too small"},
        headers={"Idempotency-Key": key} if key else {},
    )


async def _returns(client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any]) -> list[str]:
    listed = ok(await client.get(seeded.path(f"/orders/{order['id']}/returns")))["items"]
    return [ret["id"] for ret in listed]


async def test_the_same_keyed_return_sent_at_once_opens_one(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("rmaonce", unique))
    seeded = await seed(client, stock=[5], prices=[2500])
    order = await _shipped(shop, client, seeded)
    key = f"rma-{unique}"
    first = same_answer(
        await at_once(lambda: _return(client, seeded, order, key), times=AT_ONCE), 201
    )
    assert first["status"] == "requested" and first["lines"][0]["quantity"] == 1
    assert await _returns(client, seeded, order) == [first["id"]]

    # A later retry answers the same; the key for other units is a 409.
    assert ok(await _return(client, seeded, order, key), 201) == first
    reused = await _return(client, seeded, order, key, units=2)
    assert problem(reused, 409)["type"].endswith("/idempotency-key-reused")
    # The other two units are still returnable, and no more.
    too_many = await _return(client, seeded, order, None, units=3)
    assert problem(too_many, 409)["returnable"] == 2
    rest = ok(await _return(client, seeded, order, None, units=2), 201)
    assert await _returns(client, seeded, order) == [rest["id"], first["id"]]


async def test_the_key_of_a_return_of_another_order_is_refused_but_not_in_another_account(
    shop: Shop, unique: str
) -> None:
    race = await one_key_on_two_orders(
        shop,
        unique,
        "rmakey",
        lambda client: seed(client, stock=[9], prices=[2500]),
        lambda client, seeded: _shipped(shop, client, seeded),
        _return,
    )
    client, seeded, untouched = race.client, race.seeded, race.untouched
    assert race.answer["status"] == "requested"
    assert await _returns(client, seeded, untouched) == []

    # Later too: the key stays with the first return.
    late = await _return(client, seeded, untouched, race.key)
    assert problem(late, 409)["type"].endswith("/idempotency-key-reused")
    assert await _returns(client, seeded, untouched) == []
