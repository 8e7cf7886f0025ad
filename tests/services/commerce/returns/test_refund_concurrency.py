"""A return is refunded once even when its refund is asked for several times at the same
moment: the return row is locked for the whole refund, so the others find it refunded and
answer it as it is (one refund row, one Stripe refund, the gift card credited once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.at_once import AT_ONCE, at_once, same_answer
from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    card_paid_order,
    received_return,
    refund_rows,
    ship,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem


async def test_a_return_refunded_by_requests_sent_at_once_is_refunded_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("retonce", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    order, (card,) = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 1000)
    await ship(client, seeded, order, [1])
    ret = await received_return(client, seeded, order, 1)
    path = seeded.path(f"/returns/{ret}/refund")

    first = same_answer(
        await at_once(lambda: client.post(path, json={"amount": 2500}), times=AT_ONCE), 200
    )
    assert first["status"] == "refunded" and first["refund_breakdown"] == {
        "payment": 2000,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 500}],
    }
    assert await refund_rows(commerce_db, order["id"]) == 1
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert after["payments"][0]["amount_refunded"] == 2000 and after["gift_card_total"] == 500

    # At once with another amount: every one is a 409 and nothing moves.
    for answer in await at_once(lambda: client.post(path, json={"amount": 100}), times=AT_ONCE):
        assert problem(answer, 409)["return_status"] == "refunded"
    assert await balances(client, seeded, card) == [500]
