"""A paid order made through the API as a buyer makes it (cart, checkout, Stripe, place),
or paid by gift cards alone, and what the refunds did to Stripe and the cards; shared by
the returns, orders and reports tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import TLS
from tests.services.commerce.conftest import STRIPE_KEY, Shop
from tests.services.commerce.factory import Seeded, cart_with, ok


async def paid_order(
    shop: Shop,
    client: httpx.AsyncClient,
    seeded: Seeded,
    quantities: dict[str, int],
    **cart: Any,
) -> dict[str, Any]:
    """An order of ``quantities`` captured at once (the store captures on order); ``cart``
    are changes made to the cart before checkout (coupons, address)."""
    made = await cart_with(client, seeded, quantities)
    if cart:
        ok(await client.patch(seeded.path(f"/carts/{made['id']}"), json=cart))
    intent = ok(await client.post(seeded.path(f"/carts/{made['id']}/checkout")))["payment"]
    await shop.authorize(intent["intent_id"])
    placed = await client.post(seeded.path(f"/carts/{made['id']}/complete"))
    assert placed.status_code in (200, 201), placed.text
    order: dict[str, Any] = placed.json()
    for _ in range(100):  # Stripe's webhook placed it first: its capture is on its way
        if order["payment_status"] != "authorized":
            break
        await asyncio.sleep(0.02)
        order = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert order["payment_status"] == "captured", order
    return order


async def ship(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], units: list[int]
) -> dict[str, Any]:
    """Fulfil ``units[i]`` units of the order's line ``i``."""
    lines = [
        {"line_id": line["id"], "quantity": n}
        for line, n in zip(order["lines"], units, strict=True)
        if n
    ]
    shipped: dict[str, Any] = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/fulfillments"), json={"lines": lines}
        ),
        201,
    )
    return shipped


async def gift_card(client: httpx.AsyncClient, seeded: Seeded, balance: int) -> dict[str, Any]:
    """A gift card of the store holding ``balance`` USD cents."""
    card: dict[str, Any] = ok(
        await client.post(seeded.path("/gift-cards"), json={"initial_balance": balance}), 201
    )
    return card


async def balances(client: httpx.AsyncClient, seeded: Seeded, *cards: dict[str, Any]) -> list[int]:
    """The cards' balances now."""
    return [
        ok(await client.get(seeded.path(f"/gift-cards/{card['id']}")))["balance"] for card in cards
    ]


async def gift_card_order(
    client: httpx.AsyncClient, seeded: Seeded, quantities: dict[str, int], *codes: str
) -> dict[str, Any]:
    """An order the gift cards ``codes`` pay entirely: completed without Stripe."""
    made = await cart_with(client, seeded, quantities)
    ok(await client.patch(seeded.path(f"/carts/{made['id']}"), json={"gift_card_codes": codes}))
    order: dict[str, Any] = ok(await client.post(seeded.path(f"/carts/{made['id']}/complete")), 201)
    assert order["amount_due"] == 0 and order["payment_status"] == "not_required", order
    return order


async def stripe_refunds(shop: Shop, intent_id: str) -> list[int]:
    """The amounts the loopback Stripe refunded on ``intent_id``, smallest first."""
    async with httpx.AsyncClient(base_url=shop.stripe_url, verify=TLS) as http:
        answer = await http.get(
            "/v1/refunds",
            params={"payment_intent": intent_id},
            headers={"Authorization": f"Bearer {STRIPE_KEY}"},
        )
    return sorted(r["amount"] for r in answer.json()["data"])
