"""A return is refunded once even when its refund is asked for several times at the same
moment: the return row is locked for the whole refund, so the others find it refunded and
answer it as it is (one refund row, one Stripe refund, the gift card credited once)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    gift_card,
    paid_order,
    ship,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem

AT_ONCE = 5


async def test_a_return_refunded_by_requests_sent_at_once_is_refunded_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("retonce", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    card = await gift_card(client, seeded, 1000)
    order = await paid_order(
        shop, client, seeded, {seeded.variants[0]: 1}, gift_card_codes=[card["code"]]
    )
    await ship(client, seeded, order, [1])
    line = order["lines"][0]["id"]
    made = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/returns"),
            json={"lines": [{"order_line_id": line, "quantity": 1}]},
        ),
        201,
    )
    for action in ("approve", "receive"):
        ok(await client.post(seeded.path(f"/returns/{made['id']}/{action}")))
    path = seeded.path(f"/returns/{made['id']}/refund")

    answers = await asyncio.gather(
        *(client.post(path, json={"amount": 2500}) for _ in range(AT_ONCE))
    )
    assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text for a in answers]
    first = answers[0].json()
    assert all(a.json() == first for a in answers)
    assert first["status"] == "refunded" and first["refund_breakdown"] == {
        "payment": 2000,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 500}],
    }
    async with commerce_db.connect() as conn:
        rows = await conn.scalar(
            text("SELECT count(*) FROM commerce.refunds WHERE order_id = :o"), {"o": order["id"]}
        )
    assert rows == 1
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert after["payments"][0]["amount_refunded"] == 2000 and after["gift_card_total"] == 500

    # At once with another amount: every one is a 409 and nothing moves.
    answers = await asyncio.gather(
        *(client.post(path, json={"amount": 100}) for _ in range(AT_ONCE))
    )
    for answer in answers:
        assert problem(answer, 409)["return_status"] == "refunded"
    assert await balances(client, seeded, card) == [500]
