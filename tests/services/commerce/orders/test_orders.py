"""Order lifecycle through the app: capture modes, refunds, cancel, fulfilment, webhooks
applied once, problems at checkout, and tenant isolation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, cart_with, ok, seed


async def _paid_order(
    shop: Shop, client: httpx.AsyncClient, seeded: Seeded, quantities: dict[str, int]
) -> dict[str, Any]:
    cart = await cart_with(client, seeded, quantities)
    intent = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))["payment"]
    await shop.authorize(intent["intent_id"])
    placed = await client.post(seeded.path(f"/carts/{cart['id']}/complete"))
    assert placed.status_code in (200, 201), placed.text
    return await _settled(client, seeded, placed.json()["id"])


async def _settled(client: httpx.AsyncClient, seeded: Seeded, order_id: str) -> dict[str, Any]:
    """The order once the capture on order (ours or the webhook's) is recorded."""
    for _ in range(100):
        order: dict[str, Any] = ok(await client.get(seeded.path(f"/orders/{order_id}")))
        if order["payment_status"] != "authorized":
            return order
        await asyncio.sleep(0.02)
    return order


async def test_the_webhook_places_the_order_and_the_buyers_return_gets_the_same(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("hook", unique))
    seeded = await seed(client, stock=[4])
    cart = await cart_with(client, seeded, {seeded.variants[0]: 1})
    intent = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))["payment"]
    await shop.authorize(intent["intent_id"])
    for _ in range(100):  # Stripe's webhook arrives first
        cart = ok(await client.get(seeded.path(f"/carts/{cart['id']}")))
        if cart["order_id"]:
            break
        await asyncio.sleep(0.02)
    assert cart["status"] == "completed" and cart["order_id"]
    returned = await client.post(seeded.path(f"/carts/{cart['id']}/complete"))
    assert returned.status_code == 200 and returned.json()["id"] == cart["order_id"]
    orders = ok(await client.get(seeded.path("/orders")))["items"]
    assert [o["id"] for o in orders] == [cart["order_id"]]
    order = await _settled(client, seeded, cart["order_id"])
    assert order["payment_status"] == "captured" and order["status"] == "paid"


async def test_manual_capture_partial_refunds_and_the_refund_limit(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("refund", unique))
    seeded = await seed(client, stock=[5], prices=[3000], store={"capture_on_order": False})
    order = await _paid_order(shop, client, seeded, {seeded.variants[0]: 2})
    assert order["payment_status"] == "authorized" and order["status"] == "placed"
    early = await client.post(seeded.path(f"/orders/{order['id']}/refunds"), json={"amount": 1})
    assert early.status_code == 409
    captured = ok(await client.post(seeded.path(f"/orders/{order['id']}/capture"), json={}))
    assert captured["payment_status"] == "captured" and captured["status"] == "paid"
    first = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/refunds"),
            json={"amount": 1500, "reason": "damaged box"},
        ),
        201,
    )
    assert first["amount"] == 1500 and first["provider_refund_id"].startswith("re_")
    too_much = await client.post(
        seeded.path(f"/orders/{order['id']}/refunds"), json={"amount": 4501}
    )
    assert too_much.status_code == 409 and too_much.json()["refundable"] == 4500
    ok(await client.post(seeded.path(f"/orders/{order['id']}/refunds"), json={"amount": 4500}), 201)
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["payment_status"] == "refunded" and done["status"] == "refunded"
    assert done["payments"][0]["amount_refunded"] == 6000
    bad = await client.post(seeded.path(f"/orders/{order['id']}/refunds"), json={"amount": 0})
    assert bad.status_code == 422


async def test_cancel_voids_the_authorisation_and_returns_the_stock(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("cancel", unique))
    seeded = await seed(client, stock=[3], store={"capture_on_order": False})
    order = await _paid_order(shop, client, seeded, {seeded.variants[0]: 3})
    levels = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants[0]})
    )
    assert levels[0]["allocated"] == 3
    cancelled = ok(await client.post(seeded.path(f"/orders/{order['id']}/cancel")))
    assert cancelled["status"] == "cancelled" and cancelled["payment_status"] == "cancelled"
    levels = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants[0]})
    )
    assert levels[0]["allocated"] == 0 and levels[0]["on_hand"] == 3
    kinds = [m["kind"] for m in ok(await client.get(seeded.path("/inventory/movements")))]
    assert kinds[:2] == ["release", "allocate"]


async def test_fulfilment_in_two_shipments_takes_stock_off_and_cannot_overship(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("ship", unique))
    seeded = await seed(client, stock=[6])
    order = await _paid_order(shop, client, seeded, {seeded.variants[0]: 4})
    line = order["lines"][0]["id"]
    path = seeded.path(f"/orders/{order['id']}/fulfillments")
    part = ok(
        await client.post(
            path,
            json={
                "lines": [{"line_id": line, "quantity": 1}],
                "carrier": "UPS",
                "tracking_number": "1Z999",
            },
        ),
        201,
    )
    assert part["status"] == "partially_fulfilled"
    over = await client.post(path, json={"lines": [{"line_id": line, "quantity": 4}]})
    assert over.status_code == 409 and over.json()["open"] == 3
    done = ok(await client.post(path, json={"lines": [{"line_id": line, "quantity": 3}]}), 201)
    assert done["status"] == "fulfilled" and done["lines"][0]["fulfilled_quantity"] == 4
    levels = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants[0]})
    )
    assert levels[0]["on_hand"] == 2 and levels[0]["allocated"] == 0
    shipments = ok(await client.get(path))
    assert [s["tracking_number"] for s in shipments] == ["1Z999", None]
    refused = await client.post(seeded.path(f"/orders/{order['id']}/cancel"))
    assert refused.status_code == 409


async def test_checkout_lists_every_problem_at_once(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("problems", unique))
    seeded = await seed(client, stock=[1, 0], prices=[1000, 2000])
    empty = ok(await client.post(seeded.path("/carts"), json={}), 201)
    answer = await client.post(seeded.path(f"/carts/{empty['id']}/checkout"))
    assert answer.status_code == 409
    assert [p["code"] for p in answer.json()["problems"]] == ["empty-cart"]

    cart = await cart_with(client, seeded, {seeded.variants[0]: 1, seeded.variants[1]: 1})
    ok(await client.patch(seeded.path(f"/carts/{cart['id']}"), json={"coupon_codes": ["NOPE"]}))
    answer = await client.post(seeded.path(f"/carts/{cart['id']}/checkout"))
    problem = answer.json()
    assert answer.status_code == 409
    assert problem["type"].endswith("/checkout-refused")
    assert {p["code"] for p in problem["problems"]} == {"invalid-coupon"}

    ok(await client.patch(seeded.path(f"/carts/{cart['id']}"), json={"coupon_codes": []}))
    answer = await client.post(seeded.path(f"/carts/{cart['id']}/checkout"))
    assert [p["code"] for p in answer.json()["problems"]] == ["out-of-stock"]
    assert answer.json()["problems"][0]["variant_id"] == seeded.variants[1]

    # The price of a line changed: the first attempt refuses and requotes, the next goes on.
    ok(
        await client.patch(
            seeded.path(f"/carts/{cart['id']}/lines/{cart['lines'][1]['id']}"), json={"quantity": 0}
        )
    )
    ok(
        await client.patch(
            seeded.path(f"/variants/{seeded.variants[0]}"), json={"prices": {"USD": 1200}}
        )
    )
    answer = await client.post(seeded.path(f"/carts/{cart['id']}/checkout"))
    assert [p["code"] for p in answer.json()["problems"]] == ["price-changed"]
    assert answer.json()["problems"][0]["lines"][0]["now"] == 1200
    checkout = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))
    assert checkout["payment"]["amount"] == 1200


async def test_an_idempotency_key_replays_and_refuses_another_cart(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("idem", unique))
    seeded = await seed(client, stock=[5], prices=[500])
    ok(
        await client.patch(
            seeded.path(f"/variants/{seeded.variants[0]}"), json={"prices": {"USD": 0}}
        )
    )
    first = await cart_with(client, seeded, {seeded.variants[0]: 1})
    second = await cart_with(client, seeded, {seeded.variants[0]: 1})
    key = {"Idempotency-Key": f"order-{unique}"}
    placed = await client.post(seeded.path(f"/carts/{first['id']}/complete"), headers=key)
    assert placed.status_code == 201 and placed.headers["Velox-Usage-Units"] == "0"
    replay = await client.post(seeded.path(f"/carts/{first['id']}/complete"), headers=key)
    assert replay.status_code == 201 and replay.json()["id"] == placed.json()["id"]
    assert replay.headers["Velox-Usage-Units"] == "0"
    reused = await client.post(seeded.path(f"/carts/{second['id']}/complete"), headers=key)
    assert reused.status_code == 409
    assert reused.json()["type"].endswith("/idempotency-key-reused")


async def test_another_account_sees_no_cart_order_or_store(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    seeded = await seed(owner, stock=[2])
    order = await _paid_order(shop, owner, seeded, {seeded.variants[0]: 1})
    cart_id = order["cart_id"]
    for method, path in [
        ("GET", f"/orders/{order['id']}"),
        ("GET", "/orders"),
        ("POST", f"/orders/{order['id']}/cancel"),
        ("POST", f"/carts/{cart_id}/checkout"),
        ("POST", f"/carts/{cart_id}/complete"),
    ]:
        answer = await other.request(method, seeded.path(path))
        assert answer.status_code == 404, (method, path, answer.text)
    other_store = await seed(other, stock=[1], handle="other")
    assert ok(await other.get(other_store.path("/orders")))["items"] == []
    foreign = await other.get(other_store.path(f"/orders/{order['id']}"))
    assert foreign.status_code == 404


@pytest.mark.parametrize("body", [{"amount": -5}, {"amount": "x"}, {"amount": 1, "extra": 1}])
async def test_bad_refund_and_capture_bodies_are_422(
    shop: Shop, unique: str, body: dict[str, Any]
) -> None:
    client = shop.client(shop.account("bad", unique))
    seeded = await seed(client, stock=[1])
    for path in ("/orders/ord_x/refunds", "/orders/ord_x/capture"):
        answer = await client.post(seeded.path(path), json=body)
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
