"""Returns (RMAs) through the app: restock through the ledger and refund through the
loopback Stripe, the status flow, returnable units, bad input and tenant/store isolation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import paid_order, ship, stripe_refunds
from tests.services.commerce.setup.helpers import CA_ADDRESS, problem


async def _return(
    client: httpx.AsyncClient, seeded: Seeded, order_id: str, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    made: dict[str, Any] = ok(
        await client.post(seeded.path(f"/orders/{order_id}/returns"), json={"lines": lines}),
        201,
    )
    return made


async def _act(
    client: httpx.AsyncClient, seeded: Seeded, return_id: str, action: str, **body: Any
) -> dict[str, Any]:
    done: dict[str, Any] = ok(
        await client.post(seeded.path(f"/returns/{return_id}/{action}"), json=body or None)
    )
    return done


async def test_a_return_restocks_and_refunds_its_share_until_the_order_is_refunded(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("rma", unique))
    seeded = await seed(client, stock=[5, 5], prices=[2500, 1000])
    shoe, sock = seeded.variants
    promo = {"name": "Ten off", "code": "SAVE10", "kind": "percentage", "value": 1000}
    ok(await client.post(seeded.path("/promotions"), json=promo), 201)
    rate = {"name": "California", "country": "US", "region": "CA", "rate": 7.25}
    ok(await client.post(seeded.path("/tax-rates"), json=rate), 201)
    order = await paid_order(
        shop,
        client,
        seeded,
        {shoe: 3, sock: 1},
        coupon_codes=["SAVE10"],
        shipping_address=CA_ADDRESS,
    )
    lines = {line["variant_id"]: line for line in order["lines"]}
    # 3 x 25.00 less 10 % is 67.50, plus 7.25 % tax (4.89); 10.00 less 10 % plus 0.65.
    assert (lines[shoe]["total"], lines[sock]["total"], order["total"]) == (7239, 965, 8204)
    await ship(
        client, seeded, order, [3 if line["variant_id"] == shoe else 1 for line in order["lines"]]
    )

    first = await _return(
        client, seeded, order["id"], [{"order_line_id": lines[shoe]["id"], "quantity": 2}]
    )
    assert first["id"].startswith("ret_") and first["status"] == "requested"
    assert first["currency"] == "USD" and first["lines"][0]["sku"] == "SHOE-40"
    await _act(client, seeded, first["id"], "approve")
    received = await _act(client, seeded, first["id"], "receive")
    assert received["status"] == "received" and received["location_id"] == seeded.location
    refunded = await _act(client, seeded, first["id"], "refund")
    # Two of three units: two thirds of the line's total, its discount and tax included.
    assert refunded["status"] == "refunded" and refunded["refund_amount"] == 4826
    again = await _act(client, seeded, first["id"], "refund")
    assert again["refund_id"] == refunded["refund_id"]

    second = await _return(
        client,
        seeded,
        order["id"],
        [
            {"order_line_id": lines[shoe]["id"], "quantity": 1},
            {"order_line_id": lines[sock]["id"], "quantity": 1, "restock": False},
        ],
    )
    await _act(client, seeded, second["id"], "approve")
    await _act(client, seeded, second["id"], "receive", location_id=seeded.location)
    last = await _act(client, seeded, second["id"], "refund", reason="changed mind")
    # The last shoe gets what is left of its line (7239 - 4826), the sock its whole line.
    assert last["refund_amount"] == 2413 + 965

    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["status"] == "refunded" and done["payment_status"] == "refunded"
    assert done["payments"][0]["amount_refunded"] == 8204
    assert await stripe_refunds(shop, done["payments"][0]["intent_id"]) == [3378, 4826]
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": [shoe, sock]}))
    # 5 - 3 shipped + 2 + 1 back; the sock came back unfit for sale.
    assert [(lv["variant_id"], lv["on_hand"]) for lv in levels] == sorted([(shoe, 5), (sock, 4)])
    moves = ok(await client.get(seeded.path("/inventory/movements"), params={"variant_id": shoe}))
    assert [(m["kind"], m["on_hand_delta"], m["reference"]) for m in moves[:2]] == [
        ("return", 1, second["id"]),
        ("return", 2, first["id"]),
    ]
    history = ok(await client.get(seeded.path(f"/orders/{order['id']}/returns")))
    assert [r["id"] for r in history["items"]] == [second["id"], first["id"]]
    over = await client.post(
        seeded.path(f"/orders/{order['id']}/returns"),
        json={"lines": [{"order_line_id": lines[shoe]["id"], "quantity": 1}]},
    )
    assert problem(over, 409)["returnable"] == 0


async def test_only_shipped_units_not_in_another_return_can_be_returned(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("units", unique))
    seeded = await seed(client, stock=[4])
    order = await paid_order(shop, client, seeded, {seeded.variants[0]: 3})
    line = order["lines"][0]["id"]
    path = seeded.path(f"/orders/{order['id']}/returns")
    unshipped = await client.post(path, json={"lines": [{"order_line_id": line, "quantity": 1}]})
    assert problem(unshipped, 409)["returnable"] == 0
    await ship(client, seeded, order, [2])
    too_many = await client.post(path, json={"lines": [{"order_line_id": line, "quantity": 3}]})
    assert problem(too_many, 409)["returnable"] == 2
    key = {"Idempotency-Key": f"rma-{unique}"}
    body = {"lines": [{"order_line_id": line, "quantity": 2}], "reason": "too small"}
    first = ok(await client.post(path, json=body, headers=key), 201)
    replay = ok(await client.post(path, json=body, headers=key), 201)
    assert replay["id"] == first["id"]
    taken = await client.post(path, json={"lines": [{"order_line_id": line, "quantity": 1}]})
    assert problem(taken, 409)["returnable"] == 0
    rejected = await _act(client, seeded, first["id"], "reject")
    assert rejected["status"] == "rejected"
    # A rejected return gives its units back; this one is settled without a refund.
    other = await _return(client, seeded, order["id"], [{"order_line_id": line, "quantity": 1}])
    for action, status in [("approve", "approved"), ("receive", "received"), ("close", "closed")]:
        assert (await _act(client, seeded, other["id"], action))["status"] == status
    late = await client.post(seeded.path(f"/returns/{other['id']}/refund"))
    assert problem(late, 409)["return_status"] == "closed"
    listed = ok(await client.get(seeded.path("/returns"), params={"status": "closed", "limit": 1}))
    assert [r["id"] for r in listed["items"]] == [other["id"]] and listed["next_cursor"] is None
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants}))
    assert levels[0]["on_hand"] == 3  # 4 - 2 shipped + 1 received


async def test_the_status_flow_refuses_steps_out_of_order(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("flow", unique))
    seeded = await seed(client, stock=[2])
    order = await paid_order(shop, client, seeded, {seeded.variants[0]: 1})
    await ship(client, seeded, order, [1])
    ret = await _return(
        client, seeded, order["id"], [{"order_line_id": order["lines"][0]["id"], "quantity": 1}]
    )
    for action in ("receive", "refund", "close"):
        answer = await client.post(seeded.path(f"/returns/{ret['id']}/{action}"))
        assert problem(answer, 409)["type"].endswith("/invalid-state"), action
    await _act(client, seeded, ret["id"], "approve")
    again = await client.post(seeded.path(f"/returns/{ret['id']}/approve"))
    assert problem(again, 409)["return_status"] == "approved"
    nowhere = await client.post(
        seeded.path(f"/returns/{ret['id']}/receive"), json={"location_id": "loc_nowhere"}
    )
    assert problem(nowhere, 404)["resource"] == "location"
    await _act(client, seeded, ret["id"], "receive", restock=False)
    too_much = await client.post(seeded.path(f"/returns/{ret['id']}/refund"), json={"amount": 2501})
    assert problem(too_much, 409)["refundable"] == 2500
    part = await _act(client, seeded, ret["id"], "refund", amount=1000)
    assert part["refund_amount"] == 1000
    different = await client.post(seeded.path(f"/returns/{ret['id']}/refund"), json={"amount": 5})
    assert problem(different, 409)["return_status"] == "refunded"
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants}))
    assert levels[0]["on_hand"] == 1  # received without restocking
    order = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert order["status"] == "fulfilled" and order["payment_status"] == "partially_refunded"


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"lines": []}, "lines"),
    ({"lines": [{"order_line_id": "oline_1", "quantity": 0}]}, "quantity"),
    ({"lines": [{"order_line_id": "x" * 41, "quantity": 1}]}, "order_line_id"),
    ({"lines": [{"order_line_id": "oline_1", "quantity": 1, "colour": "red"}]}, "colour"),
    ({"lines": [{"order_line_id": "a", "quantity": 1}] * 2}, "each order line"),
    ({"lines": [{"order_line_id": "a", "quantity": 1}], "reason": "r" * 501}, "reason"),
]


async def test_bad_input_is_a_problem_never_a_500(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("badio", unique))
    store = ok(await client.post("/v1/commerce/stores", json={"name": "S", "handle": "s"}), 201)
    base = f"/v1/commerce/stores/{store['id']}"
    cases: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, int]] = [
        ("GET", "/returns", None, {"status": "lost"}, 422),
        ("GET", "/returns", None, {"limit": 0}, 422),
        ("GET", "/returns", None, {"cursor": "not-a-cursor!"}, 400),
        ("GET", "/returns/ret_missing", None, None, 404),
        ("GET", "/orders/ord_missing/returns", None, None, 404),
        (
            "POST",
            "/orders/ord_missing/returns",
            {"lines": [{"order_line_id": "l", "quantity": 1}]},
            None,
            404,
        ),
        ("POST", "/returns/ret_missing/approve", None, None, 404),
        ("POST", "/returns/ret_missing/reject", None, None, 404),
        ("POST", "/returns/ret_missing/close", None, None, 404),
        ("POST", "/returns/ret_missing/receive", {"location_id": "x" * 41}, None, 422),
        ("POST", "/returns/ret_missing/receive", {"restock": "maybe"}, None, 422),
        ("POST", "/returns/ret_missing/refund", {"amount": 0}, None, 422),
        ("POST", "/returns/ret_missing/refund", {"amount": 10, "extra": 1}, None, 422),
        ("POST", f"/returns/{'r' * 41}/approve", None, None, 422),
    ]
    for method, suffix, body, params, status in cases:
        answer = await client.request(method, base + suffix, json=body, params=params)
        problem(answer, status)
    for body, field in BAD_BODIES:
        answer = await client.post(f"{base}/orders/ord_x/returns", json=body)
        assert field in str(problem(answer, 422)), body


async def test_another_account_or_store_sees_no_return(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    seeded = await seed(owner, stock=[2])
    order = await paid_order(shop, owner, seeded, {seeded.variants[0]: 1})
    await ship(owner, seeded, order, [1])
    line = order["lines"][0]["id"]
    ret = await _return(owner, seeded, order["id"], [{"order_line_id": line, "quantity": 1}])
    sister = await seed(owner, stock=[1], handle="sister")
    foreign = await seed(other, stock=[1], handle="other")
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/returns/{ret['id']}", None),
        ("GET", f"/orders/{order['id']}/returns", None),
        (
            "POST",
            f"/orders/{order['id']}/returns",
            {"lines": [{"order_line_id": line, "quantity": 1}]},
        ),
        *(
            (("POST", f"/returns/{ret['id']}/{a}", None))
            for a in ("approve", "reject", "receive", "refund", "close")
        ),
    ]
    for client, store in [(other, seeded), (other, foreign), (owner, sister)]:
        for method, suffix, body in calls:
            answer = await client.request(method, store.path(suffix), json=body)
            assert answer.status_code == 404, (store.store, method, suffix, answer.text)
    assert ok(await owner.get(sister.path("/returns")))["items"] == []
    assert ok(await other.get(foreign.path("/returns")))["items"] == []
    still = ok(await owner.get(seeded.path(f"/returns/{ret['id']}")))
    assert still["status"] == "requested"
