"""A purchase from cart to captured order, with the loopback Stripe, against PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import cart_with, ok, seed


async def test_a_purchase_reserves_authorises_places_and_captures_once(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("buyer", unique))
    seeded = await seed(client, stock=[5], prices=[2500])
    cart = await cart_with(client, seeded, {seeded.variants[0]: 2}, email="ann@example.com")
    assert cart["totals"]["subtotal"] == 5000
    checkout = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))
    payment = checkout["payment"]
    assert payment["amount"] == 5000 and payment["status"] == "requires_payment_method"
    assert payment["client_secret"].startswith(payment["intent_id"])

    # Not yet authorised: completion is refused with the reason.
    refused = await client.post(seeded.path(f"/carts/{cart['id']}/complete"))
    assert refused.status_code == 409
    assert [p["code"] for p in refused.json()["problems"]] == ["payment-not-authorized"]

    assert (await shop.authorize(payment["intent_id"]))["status"] == "requires_capture"
    placed = await client.post(
        seeded.path(f"/carts/{cart['id']}/complete"), headers={"Idempotency-Key": "k-1"}
    )
    assert placed.status_code in (200, 201), placed.text
    order = placed.json()
    assert order["total"] == 5000 and order["lines"][0]["quantity"] == 2
    # The store captures on order: the payment is taken and the order paid.
    for _ in range(50):
        order = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
        if order["payment_status"] == "captured":
            break
        await asyncio.sleep(0.05)
    assert order["status"] == "paid" and order["payment_status"] == "captured"
    assert order["payments"][0]["amount_captured"] == 5000

    again = await client.post(
        seeded.path(f"/carts/{cart['id']}/complete"), headers={"Idempotency-Key": "k-2"}
    )
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    levels = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": seeded.variants[0]})
    )
    assert levels[0]["on_hand"] == 5 and levels[0]["allocated"] == 2
