"""What every completion in a store shares besides stock: coupon use counts and order
numbers. Both are taken at the very end of a completion (the coupon row stays locked to
the commit; numbers come from the store's own sequence), so they are raced here."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import cart_with, ok, seed

BUYERS = 8


async def test_a_coupon_is_never_used_past_its_limit_by_racing_completions(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("coupon-race", unique))
    seeded = await seed(client, stock=[BUYERS])
    variant = seeded.variants[0]
    coupon = ok(
        await client.post(
            seeded.path("/promotions"),
            json={
                "name": "Two only",
                "code": "TWO",
                "kind": "percentage",
                "value": 1000,
                "usage_limit": 2,
            },
        ),
        201,
    )
    carts = [await cart_with(client, seeded, {variant: 1}) for _ in range(BUYERS)]
    for cart in carts:
        path = seeded.path(f"/carts/{cart['id']}")
        ok(await client.patch(path, json={"coupon_codes": ["TWO"]}))
    intents = []
    for cart in carts:  # every buyer starts checkout while the coupon has uses left
        started = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))
        assert started["cart"]["totals"]["discount_total"] == 250
        intents.append(started["payment"]["intent_id"])
    # Authorising makes Stripe send its webhook, which places the order too: the webhooks
    # and the buyers' returns all race for the coupon's last uses.
    await asyncio.gather(*(shop.authorize(intent) for intent in intents))
    answers = await asyncio.gather(
        *(client.post(seeded.path(f"/carts/{c['id']}/complete")) for c in carts)
    )
    placed = [a.json() for a in answers if a.status_code in (200, 201)]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert len(placed) == 2 and len(refused) == BUYERS - 2, [a.text for a in answers]
    assert all(p["discount_total"] == 250 for p in placed)
    for problem in refused:
        # Refused at the guarded count, or earlier by pricing that already saw the uses
        # gone (then the amount due without the discount differs from the authorisation).
        codes = {p["code"]: p for p in problem["problems"]}
        assert codes["coupon-usage-limit"]["ref"] == "TWO"
        assert set(codes) <= {"coupon-usage-limit", "price-changed"}, codes
    # The refused buyers' authorisations are voided: their money is not held.
    stripe = shop.stripe()
    for intent, answer in zip(intents, answers, strict=True):
        if answer.status_code == 409:
            status = ""
            for _ in range(100):
                status = (await stripe.v1.payment_intents.retrieve_async(intent)).status
                if status == "canceled":
                    break
                await asyncio.sleep(0.02)
            assert status == "canceled", intent
    got = ok(await client.get(seeded.path(f"/promotions/{coupon['id']}")))
    assert got["times_used"] == 2
    # A refused completion wrote nothing: no order, its stock still on hand.
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": variant}))
    assert levels[0]["allocated"] == 2
    async with commerce_db.connect() as conn:
        orders = await conn.scalar(
            text("SELECT count(*) FROM commerce.orders WHERE store_id = :s"), {"s": seeded.store}
        )
    assert orders == 2


async def test_order_numbers_count_per_store_from_1001_under_concurrency(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("numbers", unique))
    first = await seed(client, stock=[BUYERS], prices=[0 + 100])
    second = await seed(client, stock=[1], prices=[100], handle="second")
    for seeded in (first, second):  # free items: completion needs no payment
        for variant in seeded.variants:
            ok(
                await client.patch(
                    seeded.path(f"/variants/{variant}"), json={"prices": {"USD": 0, "EUR": 0}}
                )
            )
    carts = [await cart_with(client, first, {first.variants[0]: 1}) for _ in range(BUYERS)]
    answers = await asyncio.gather(
        *(client.post(first.path(f"/carts/{c['id']}/complete")) for c in carts)
    )
    numbers = sorted(ok(a, 201)["number"] for a in answers)
    assert numbers == list(range(1001, 1001 + BUYERS))
    other = await cart_with(client, second, {second.variants[0]: 1})
    assert (
        ok(await client.post(second.path(f"/carts/{other['id']}/complete")), 201)["number"] == 1001
    )
