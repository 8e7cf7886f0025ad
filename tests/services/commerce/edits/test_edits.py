"""Order edits through the app: quantities, added and removed lines repriced by the one
calculator, stock following, the payment refunded or the capture lowered, refusals."""

from __future__ import annotations

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.edits.purchase import place_order
from tests.services.commerce.factory import Seeded, ok, seed


async def _stock(client: httpx.AsyncClient, seeded: Seeded, variant: str) -> dict[str, int]:
    level = ok(await client.get(seeded.path("/inventory"), params={"variant_id": variant}))[0]
    return {"on_hand": level["on_hand"], "allocated": level["allocated"]}


async def test_a_smaller_captured_order_is_refunded_the_difference_and_stock_follows(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("edit", unique))
    seeded = await seed(client, stock=[5, 5], prices=[2000, 3000])
    a, b = seeded.variants
    order = await place_order(shop, client, seeded, {a: 3})
    line = order["lines"][0]["id"]
    edit = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/edits"),
            json={
                "changes": [
                    {"op": "set_quantity", "line_id": line, "quantity": 1},
                    {"op": "add_line", "variant_id": b, "quantity": 1},
                ]
            },
        ),
        201,
    )
    assert edit["total_before"] == 6000 and edit["total_after"] == 2000 + 3000
    assert edit["payment"]["action"] == "refunded" and edit["payment"]["amount"] == 1000
    after = edit["order"]
    assert after["total"] == 5000 and after["amount_due"] == 5000
    assert sorted(x["quantity"] for x in after["lines"]) == [1, 1]
    assert after["payments"][0]["amount_refunded"] == 1000
    assert await _stock(client, seeded, a) == {"on_hand": 5, "allocated": 1}
    assert await _stock(client, seeded, b) == {"on_hand": 5, "allocated": 1}


async def test_an_authorised_order_is_captured_for_its_new_amount_and_cannot_cost_more(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("auth", unique))
    seeded = await seed(client, stock=[5], prices=[1000], store={"capture_on_order": False})
    order = await place_order(shop, client, seeded, {seeded.variants[0]: 4}, captured=False)
    path = seeded.path(f"/orders/{order['id']}/edits")
    line = order["lines"][0]["id"]
    more = await client.post(
        path, json={"changes": [{"op": "set_quantity", "line_id": line, "quantity": 5}]}
    )
    assert more.status_code == 409 and more.json()["authorized"] == 4000, more.text
    body = {"changes": [{"op": "set_quantity", "line_id": line, "quantity": 2}]}
    headers = {"Idempotency-Key": f"edit-{unique}"}
    less = ok(await client.post(path, json=body, headers=headers), 201)
    assert less["payment"] == {"action": "capture_adjusted", "amount": 2000, "refund_id": None}
    replay = await client.post(path, json=body, headers=headers)
    assert replay.status_code == 201 and replay.json()["id"] == less["id"]
    captured = ok(await client.post(seeded.path(f"/orders/{order['id']}/capture"), json={}))
    assert captured["payments"][0]["amount_captured"] == 2000
    edits = ok(await client.get(path))
    assert [e["id"] for e in edits["items"]] == [less["id"]] and edits["next_cursor"] is None
    assert edits["items"][0]["changes"][0]["quantity_before"] == 4


async def test_bad_edits_are_refused_and_a_fulfilled_order_cannot_be_edited(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("bad", unique))
    seeded = await seed(client, stock=[5, 1], prices=[1000, 1500])
    a, b = seeded.variants
    order = await place_order(shop, client, seeded, {a: 4})
    path = seeded.path(f"/orders/{order['id']}/edits")
    line = order["lines"][0]["id"]
    cases = [
        ({"changes": []}, 422),
        ({"changes": [{"op": "explode", "line_id": line}]}, 422),
        ({"changes": [{"op": "set_quantity", "line_id": line, "quantity": 0}]}, 422),
        ({"changes": [{"op": "remove_line", "line_id": line}]}, 422),
        ({"changes": [{"op": "remove_line", "line_id": "oline_nope"}]}, 404),
        ({"changes": [{"op": "add_line", "variant_id": "var_nope", "quantity": 1}]}, 422),
        ({"changes": [{"op": "add_line", "variant_id": a, "quantity": 1}]}, 422),
        ({"changes": [{"op": "add_line", "variant_id": b, "quantity": 3}]}, 409),
        (
            {
                "changes": [
                    {"op": "set_quantity", "line_id": line, "quantity": 1},
                    {"op": "add_line", "variant_id": b, "quantity": 2},
                ]
            },
            409,
        ),
    ]
    for body, expected in cases:
        answer = await client.post(path, json=body)
        assert answer.status_code == expected, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(path, json=cases[-2][0])).json()["reason"] == "payment"
    assert (await client.post(path, json=cases[-1][0])).json()["shortages"] == [
        {"variant_id": b, "requested": 2, "available": 1}
    ]
    ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/fulfillments"),
            json={"lines": [{"line_id": line, "quantity": 1}]},
        ),
        201,
    )
    late = await client.post(
        path, json={"changes": [{"op": "set_quantity", "line_id": line, "quantity": 1}]}
    )
    assert late.status_code == 409 and late.json()["order_status"] == "partially_fulfilled"
    assert late.json()["status"] == 409
    assert ok(await client.get(path))["items"] == []


async def test_edits_of_another_tenant_or_store_are_not_found(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    seeded = await seed(owner, stock=[3])
    other_store = await seed(owner, stock=[3], handle="second")
    order = await place_order(shop, owner, seeded, {seeded.variants[0]: 1})
    body = {"changes": [{"op": "set_quantity", "line_id": order["lines"][0]["id"], "quantity": 2}]}
    stranger = shop.client(shop.account("stranger", unique))
    for client, store in ((stranger, seeded), (owner, other_store)):
        path = store.path(f"/orders/{order['id']}/edits")
        assert (await client.post(path, json=body)).status_code == 404
        assert (await client.get(path)).status_code == 404
