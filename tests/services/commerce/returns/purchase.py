"""A paid order made through the API as a buyer makes it (cart, checkout, Stripe, place),
paid by gift cards in part or alone, its refunds and returns, and what the refunds did to
Stripe and the cards; shared by the returns, orders, edits and reports tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

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


async def card_paid_order(
    shop: Shop,
    client: httpx.AsyncClient,
    seeded: Seeded,
    quantities: dict[str, int],
    *balances: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An order of ``quantities`` that new gift cards of ``balances`` pay part of (as much
    as they hold), Stripe the rest; the order and the cards."""
    cards = [await gift_card(client, seeded, balance) for balance in balances]
    order = await paid_order(
        shop, client, seeded, quantities, gift_card_codes=[card["code"] for card in cards]
    )
    assert order["gift_card_total"] == sum(balances) < order["total"], order
    return order, cards


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
    client: httpx.AsyncClient, seeded: Seeded, quantities: dict[str, int], *balances: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An order of ``quantities`` that new gift cards of ``balances`` pay entirely,
    completed without Stripe; the order and the cards."""
    cards = [await gift_card(client, seeded, balance) for balance in balances]
    codes = [card["code"] for card in cards]
    made = await cart_with(client, seeded, quantities)
    ok(await client.patch(seeded.path(f"/carts/{made['id']}"), json={"gift_card_codes": codes}))
    order: dict[str, Any] = ok(await client.post(seeded.path(f"/carts/{made['id']}/complete")), 201)
    assert order["amount_due"] == 0 and order["payment_status"] == "not_required", order
    return order, cards


async def stripe_refunds(shop: Shop, intent_id: str) -> list[int]:
    """The amounts the loopback Stripe refunded on ``intent_id``, smallest first."""
    async with httpx.AsyncClient(base_url=shop.stripe_url, verify=TLS) as http:
        answer = await http.get(
            "/v1/refunds",
            params={"payment_intent": intent_id},
            headers={"Authorization": f"Bearer {STRIPE_KEY}"},
        )
    return sorted(r["amount"] for r in answer.json()["data"])


async def staff_refund(
    client: httpx.AsyncClient, seeded: Seeded, order_id: str, amount: int, **headers: str
) -> httpx.Response:
    """``POST /orders/{order_id}/refunds`` of ``amount`` (``headers``: an
    ``Idempotency-Key``)."""
    return await client.post(
        seeded.path(f"/orders/{order_id}/refunds"), json={"amount": amount}, headers=headers
    )


async def received_return(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], units: int, **receive: Any
) -> str:
    """A return of ``units`` of the order's first line, approved and received
    (``receive``: the body of the receipt, e.g. ``restock=False``); its id."""
    line = order["lines"][0]["id"]
    made = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/returns"),
            json={"lines": [{"order_line_id": line, "quantity": units}]},
        ),
        201,
    )
    ok(await client.post(seeded.path(f"/returns/{made['id']}/approve")))
    ok(await client.post(seeded.path(f"/returns/{made['id']}/receive"), json=receive or None))
    return str(made["id"])


async def refunded_return(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], units: int, **receive: Any
) -> dict[str, Any]:
    """A :func:`received_return`, refunded its share of what the units cost."""
    ret = await received_return(client, seeded, order, units, **receive)
    refunded: dict[str, Any] = ok(await client.post(seeded.path(f"/returns/{ret}/refund")))
    assert refunded["status"] == "refunded", refunded
    return refunded


async def refund_rows(engine: AsyncEngine, order_id: str) -> int:
    """How many refund rows the order has (one a refund, whatever paid it)."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM commerce.refunds WHERE order_id = :o"), {"o": order_id}
        )
    return int(found or 0)
