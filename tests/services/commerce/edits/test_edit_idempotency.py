"""An order edit with an ``Idempotency-Key`` is made once, even when the same request is
sent several times at the same moment: every copy gets the first edit's answer, and the
order has one edit (a line it adds is added once). Keys are per account; the key of an
edit on another order is a 409."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.at_once import AT_ONCE, at_once, one_key_on_two_orders, same_answer
from tests.services.commerce.conftest import Shop
from tests.services.commerce.edits.purchase import place_order
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.setup.helpers import problem


async def _store(client: httpx.AsyncClient) -> Seeded:
    """A store that captures later, selling a 20.00 and a 10.00 variant."""
    return await seed(client, stock=[9, 9], prices=[2000, 1000], store={"capture_on_order": False})


async def _authorised(shop: Shop, client: httpx.AsyncClient, seeded: Seeded) -> dict[str, Any]:
    """An order of 3 x 20.00, authorised (60.00) and not captured."""
    return await place_order(shop, client, seeded, {seeded.variants[0]: 3}, captured=False)


async def _edit(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], key: str, quantity: int = 2
) -> httpx.Response:
    """Down to ``quantity`` of the first line, and a line of the second variant added."""
    changes = [
        {"op": "set_quantity", "line_id": order["lines"][0]["id"], "quantity": quantity},
        {"op": "add_line", "variant_id": seeded.variants[1], "quantity": 1},
    ]
    return await client.post(
        seeded.path(f"/orders/{order['id']}/edits"),
        json={"changes": changes},
        headers={"Idempotency-Key": key},
    )


def _units(order: dict[str, Any]) -> list[tuple[str, int]]:
    return sorted((line["variant_id"], line["quantity"]) for line in order["lines"])


async def test_the_same_keyed_edit_sent_at_once_edits_once(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("editonce", unique))
    seeded = await _store(client)
    order = await _authorised(shop, client, seeded)
    shoe, sock = seeded.variants
    key = f"edit-{unique}"
    first = same_answer(
        await at_once(lambda: _edit(client, seeded, order, key), times=AT_ONCE), 201
    )
    assert (first["total_before"], first["total_after"]) == (6000, 5000)
    assert first["payment"]["action"] == "capture_adjusted"
    edits = ok(await client.get(seeded.path(f"/orders/{order['id']}/edits")))["items"]
    assert [edit["id"] for edit in edits] == [first["id"]]
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert _units(after) == sorted([(shoe, 2), (sock, 1)]) and after["total"] == 5000

    # A later retry answers the same; the key with other changes is a 409.
    assert ok(await _edit(client, seeded, order, key), 201) == first
    reused = await _edit(client, seeded, order, key, quantity=1)
    assert problem(reused, 409)["type"].endswith("/idempotency-key-reused")
    edits = ok(await client.get(seeded.path(f"/orders/{order['id']}/edits")))["items"]
    assert len(edits) == 1


async def test_the_key_of_an_edit_of_another_order_is_refused_but_not_in_another_account(
    shop: Shop, unique: str
) -> None:
    race = await one_key_on_two_orders(
        shop,
        unique,
        "editkey",
        _store,
        lambda client, seeded: _authorised(shop, client, seeded),
        _edit,
    )
    client, seeded = race.client, race.seeded
    assert race.answer["total_after"] == 5000
    untouched = race.untouched
    path = seeded.path(f"/orders/{untouched['id']}")
    assert ok(await client.get(f"{path}/edits"))["items"] == []
    assert ok(await client.get(path))["total"] == 6000

    # Later too: the key stays with the first edit.
    late = await _edit(client, seeded, untouched, race.key)
    assert problem(late, 409)["type"].endswith("/idempotency-key-reused")
