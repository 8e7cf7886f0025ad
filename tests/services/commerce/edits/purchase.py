"""A purchase through the API, as a storefront makes it: cart, checkout, the buyer's
authorisation at the loopback Stripe, completion (shared by the after-sales tests)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, cart_with, ok

BUYER = "buyer@example.com"


async def place_order(
    shop: Shop,
    client: httpx.AsyncClient,
    seeded: Seeded,
    quantities: dict[str, int],
    *,
    captured: bool = True,
    **cart: Any,
) -> dict[str, Any]:
    """An order for ``quantities`` (``captured``: the store captures on order, so wait
    for the capture, which Stripe's webhook may record a moment later)."""
    made = await cart_with(client, seeded, quantities, **{"email": BUYER, **cart})
    intent = ok(await client.post(seeded.path(f"/carts/{made['id']}/checkout")))["payment"]
    await shop.authorize(intent["intent_id"])
    placed = await client.post(seeded.path(f"/carts/{made['id']}/complete"))
    assert placed.status_code in (200, 201), placed.text
    order: dict[str, Any] = placed.json()
    for _ in range(100):
        if not captured or order["payment_status"] == "captured":
            return order
        await asyncio.sleep(0.02)
        order = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    raise AssertionError(f"order {order['id']} was not captured: {order['payment_status']}")
