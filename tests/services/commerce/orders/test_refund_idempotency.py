"""An order refund with an ``Idempotency-Key`` refunds once, even when the same request
is sent several times at the same moment: every answer is the first refund's, one refund
row is written, Stripe refunds once and the gift card is credited once. Keys are per
account; on another order a key in use is a 409."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.at_once import AT_ONCE, at_once, one_key_on_two_orders, same_answer
from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    card_paid_order,
    refund_rows,
    staff_refund,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem


async def _paid(shop: Shop, client: httpx.AsyncClient, seeded: Seeded) -> dict[str, Any]:
    """A 30.00 order, a gift card paying 10.00 of it and Stripe 20.00."""
    order, _ = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 1000)
    return order


async def _refund(
    client: httpx.AsyncClient, seeded: Seeded, order_id: str, amount: int, key: str
) -> httpx.Response:
    return await staff_refund(client, seeded, order_id, amount, **{"Idempotency-Key": key})


async def test_the_same_keyed_refund_sent_at_once_refunds_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("refonce", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    order, (card,) = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 1000)
    key = f"refund-{unique}"
    first = same_answer(
        await at_once(lambda: _refund(client, seeded, order["id"], 2500, key), times=AT_ONCE), 201
    )
    assert first["breakdown"] == {
        "payment": 2000,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 500}],
    }
    assert await refund_rows(commerce_db, order["id"]) == 1
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert after["payments"][0]["amount_refunded"] == 2000 and after["gift_card_total"] == 500
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]

    # A later retry answers the same; the key on another amount is a 409.
    assert ok(await _refund(client, seeded, order["id"], 2500, key), 201) == first
    reused = await _refund(client, seeded, order["id"], 100, key)
    assert problem(reused, 409)["type"].endswith("/idempotency-key-reused")
    assert await refund_rows(commerce_db, order["id"]) == 1


async def test_a_key_in_use_on_another_order_is_refused_but_not_in_another_account(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    race = await one_key_on_two_orders(
        shop,
        unique,
        "refkey",
        lambda client: seed(client, stock=[3], prices=[3000]),
        lambda client, seeded: _paid(shop, client, seeded),
        lambda client, seeded, order, key: _refund(client, seeded, order["id"], 500, key),
    )
    untouched, theirs = race.untouched, race.theirs
    assert race.answer["breakdown"]["payment"] == 500
    assert await refund_rows(commerce_db, race.answer["order_id"]) == 1
    assert await refund_rows(commerce_db, untouched["id"]) == 0
    assert await stripe_refunds(shop, untouched["payments"][0]["intent_id"]) == []
    assert await stripe_refunds(shop, theirs["payments"][0]["intent_id"]) == [500]


async def test_the_refund_row_holds_the_key_when_the_kept_answer_is_gone(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    """Checked under the order's lock: the refund made with the key answers for it."""
    account = shop.account("refrow", unique)
    client = shop.client(account)
    seeded = await seed(client, stock=[3], prices=[3000])
    order, (card,) = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 1000)
    key = f"row-{unique}"
    first = ok(await _refund(client, seeded, order["id"], 2500, key), 201)
    async with commerce_db.begin() as conn:
        await conn.execute(
            text("DELETE FROM commerce.idempotent_requests WHERE account_id = :a AND key = :k"),
            {"a": account, "k": key},
        )
    assert ok(await _refund(client, seeded, order["id"], 2500, key), 201) == first
    assert await refund_rows(commerce_db, order["id"]) == 1
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]
