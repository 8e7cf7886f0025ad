"""An order refund with an ``Idempotency-Key`` refunds once, even when the same request
is sent several times at the same moment: every answer is the first refund's, one refund
row is written, Stripe refunds once and the gift card is credited once. Keys are per
account; on another order a key in use is a 409."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    gift_card,
    paid_order,
    stripe_refunds,
)
from tests.services.commerce.setup.helpers import problem

AT_ONCE = 5


async def _order(
    shop: Shop, client: httpx.AsyncClient, seeded: Seeded
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A 30.00 order, a gift card paying 10.00 of it and Stripe 20.00; the card."""
    card = await gift_card(client, seeded, 1000)
    order = await paid_order(
        shop, client, seeded, {seeded.variants[0]: 1}, gift_card_codes=[card["code"]]
    )
    assert (order["gift_card_total"], order["amount_due"]) == (1000, 2000)
    return order, card


def _refund(client: httpx.AsyncClient, seeded: Seeded, order_id: str, amount: int, key: str) -> Any:
    return client.post(
        seeded.path(f"/orders/{order_id}/refunds"),
        json={"amount": amount},
        headers={"Idempotency-Key": key},
    )


async def _refund_rows(engine: AsyncEngine, order_id: str) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM commerce.refunds WHERE order_id = :o"), {"o": order_id}
        )
    return int(found or 0)


async def test_the_same_keyed_refund_sent_at_once_refunds_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("refonce", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    order, card = await _order(shop, client, seeded)
    key = f"refund-{unique}"
    answers = await asyncio.gather(
        *(_refund(client, seeded, order["id"], 2500, key) for _ in range(AT_ONCE))
    )
    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.text for a in answers]
    first = answers[0].json()
    assert all(a.json() == first for a in answers)
    assert first["breakdown"] == {
        "payment": 2000,
        "gift_cards": [{"id": card["id"], "code": card["code"], "amount": 500}],
    }
    assert await _refund_rows(commerce_db, order["id"]) == 1
    after = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert after["payments"][0]["amount_refunded"] == 2000 and after["gift_card_total"] == 500
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]

    # A later retry answers the same; the key on another amount is a 409.
    assert ok(await _refund(client, seeded, order["id"], 2500, key), 201) == first
    reused = await _refund(client, seeded, order["id"], 100, key)
    assert problem(reused, 409)["type"].endswith("/idempotency-key-reused")
    assert await _refund_rows(commerce_db, order["id"]) == 1


async def test_a_key_in_use_on_another_order_is_refused_but_not_in_another_account(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("refkey", unique))
    other = shop.client(shop.account("refkeyother", unique))
    seeded = await seed(client, stock=[3], prices=[3000])
    foreign = await seed(other, stock=[3], prices=[3000])
    (one, _), (two, _) = await _order(shop, client, seeded), await _order(shop, client, seeded)
    (theirs, _) = await _order(shop, other, foreign)
    key = f"shared-{unique}"
    answers = await asyncio.gather(
        _refund(client, seeded, one["id"], 500, key),
        _refund(client, seeded, two["id"], 500, key),
        _refund(other, foreign, theirs["id"], 500, key),  # keys are per account
    )
    statuses = sorted(a.status_code for a in answers[:2])
    assert statuses == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers[:2] if a.status_code == 409)
    assert problem(refused, 409)["type"].endswith("/idempotency-key-reused")
    made = next(a for a in answers[:2] if a.status_code == 201).json()
    rows = [await _refund_rows(commerce_db, order["id"]) for order in (one, two)]
    assert sorted(rows) == [0, 1] and rows[[one["id"], two["id"]].index(made["order_id"])] == 1
    untouched = two if made["order_id"] == one["id"] else one
    assert await stripe_refunds(shop, untouched["payments"][0]["intent_id"]) == []
    assert ok(answers[2], 201)["breakdown"]["payment"] == 500
    assert await stripe_refunds(shop, theirs["payments"][0]["intent_id"]) == [500]


async def test_the_refund_row_holds_the_key_when_the_kept_answer_is_gone(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    """Checked under the order's lock: the refund made with the key answers for it."""
    account = shop.account("refrow", unique)
    client = shop.client(account)
    seeded = await seed(client, stock=[3], prices=[3000])
    order, card = await _order(shop, client, seeded)
    key = f"row-{unique}"
    first = ok(await _refund(client, seeded, order["id"], 2500, key), 201)
    async with commerce_db.begin() as conn:
        await conn.execute(
            text("DELETE FROM commerce.idempotent_requests WHERE account_id = :a AND key = :k"),
            {"a": account, "k": key},
        )
    assert ok(await _refund(client, seeded, order["id"], 2500, key), 201) == first
    assert await _refund_rows(commerce_db, order["id"]) == 1
    assert await stripe_refunds(shop, order["payments"][0]["intent_id"]) == [2000]
    assert await balances(client, seeded, card) == [500]
