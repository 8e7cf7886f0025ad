"""A paid order made through the API as a buyer makes it (cart, checkout, Stripe, place),
shared by the returns and reports tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
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
