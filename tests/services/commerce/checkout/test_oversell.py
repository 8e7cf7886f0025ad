"""Concurrent buyers never oversell: rows are locked in one order and availability is
checked in the same transaction (reservations at checkout, allocation at order)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import cart_with, ok, seed

BUYERS = 50


async def _ledger_never_negative(engine: AsyncEngine, variant: str) -> None:
    """Replaying the ledger in order, available units never go below zero."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT on_hand_delta, allocated_delta FROM commerce.stock_movements"
                    " WHERE variant_id = :v ORDER BY id"
                ),
                {"v": variant},
            )
        ).all()
    on_hand = allocated = 0
    for d_on_hand, d_allocated in rows:
        on_hand += d_on_hand
        allocated += d_allocated
        assert on_hand - allocated >= 0


async def test_fifty_buyers_race_for_the_last_three_units_at_checkout(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("race", unique))
    seeded = await seed(client, stock=[3])
    variant = seeded.variants[0]
    carts = await asyncio.gather(*(cart_with(client, seeded, {variant: 1}) for _ in range(BUYERS)))
    answers = await asyncio.gather(
        *(client.post(seeded.path(f"/carts/{c['id']}/checkout")) for c in carts)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 3, statuses
    assert statuses.count(409) == BUYERS - 3, statuses
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["problems"][0]["code"] == "out-of-stock"
    assert refused["problems"][0]["available"] == 0

    winners = [c for c, a in zip(carts, answers, strict=True) if a.status_code == 200]
    for answer in answers:
        if answer.status_code == 200:
            await shop.authorize(answer.json()["payment"]["intent_id"])
    placed = await asyncio.gather(
        *(client.post(seeded.path(f"/carts/{c['id']}/complete")) for c in winners)
    )
    assert all(p.status_code in (200, 201) for p in placed), [p.text for p in placed]
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": variant}))
    assert levels[0]["on_hand"] == 3 and levels[0]["allocated"] == 3
    await _ledger_never_negative(commerce_db, variant)


async def test_fifty_buyers_race_for_the_last_three_units_at_completion(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    """Nothing due (a free item): completion allocates directly, with no reservation."""
    client = shop.client(shop.account("race2", unique))
    seeded = await seed(client, stock=[3], prices=[0 + 100])
    variant = seeded.variants[0]
    ok(
        await client.patch(
            seeded.path(f"/variants/{variant}"), json={"prices": {"USD": 0, "EUR": 0}}
        )
    )
    carts = await asyncio.gather(*(cart_with(client, seeded, {variant: 1}) for _ in range(BUYERS)))
    answers = await asyncio.gather(
        *(client.post(seeded.path(f"/carts/{c['id']}/complete")) for c in carts)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 3, statuses
    assert statuses.count(409) == BUYERS - 3, statuses
    orders = ok(await client.get(seeded.path("/orders"), params={"limit": 100}))["items"]
    assert len(orders) == 3 and all(o["payment_status"] == "not_required" for o in orders)
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": variant}))
    assert levels[0]["allocated"] == 3
    await _ledger_never_negative(commerce_db, variant)


async def test_a_reservation_holds_stock_against_others_until_it_expires(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("hold", unique))
    seeded = await seed(client, stock=[1])
    variant = seeded.variants[0]
    first = await cart_with(client, seeded, {variant: 1})
    second = await cart_with(client, seeded, {variant: 1})
    intent_id = ok(await client.post(seeded.path(f"/carts/{first['id']}/checkout")))["payment"][
        "intent_id"
    ]
    blocked = await client.post(seeded.path(f"/carts/{second['id']}/checkout"))
    assert blocked.status_code == 409
    async with commerce_db.begin() as conn:  # the hold runs out
        for table, column in (("reservations", "cart_id"), ("carts", "id")):
            expiry = "expires_at" if table == "reservations" else "reserved_until"
            await conn.execute(
                text(
                    f"UPDATE commerce.{table} SET {expiry} = now() - interval '1 second'"
                    f" WHERE {column} = :c"
                ),
                {"c": first["id"]},
            )
    ok(await client.post(seeded.path(f"/carts/{second['id']}/checkout")))
    # The first buyer authorises after the hold ran out and the unit went to the second:
    # no order, the authorisation is voided, and completion names both reasons.
    await shop.authorize(intent_id)
    refused = await client.post(seeded.path(f"/carts/{first['id']}/complete"))
    assert refused.status_code == 409
    codes = [p["code"] for p in refused.json()["problems"]]
    assert "reservation-expired" in codes and "out-of-stock" in codes
    stripe = shop.stripe()
    for _ in range(100):
        status = (await stripe.v1.payment_intents.retrieve_async(intent_id)).status
        if status == "canceled":
            break
        await asyncio.sleep(0.02)
    assert status == "canceled"
