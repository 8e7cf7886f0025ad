"""The sales report's ``refunded`` is everything the orders gave back: the Stripe part
and the gift card part of staff and return refunds, and a refund made in the Stripe
dashboard, each once; an order edit's refund is not (the edit lowered the gross)."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.reports.helpers import FIGURES, figures, recent, shoes_and_sock
from tests.services.commerce.returns.purchase import (
    balances,
    card_paid_order,
    gift_card_order,
    paid_order,
    refunded_return,
    ship,
    staff_refund,
    stripe_refunds,
)


async def _dashboard_refund(
    shop: Shop, client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], amount: int
) -> None:
    """A refund made in the Stripe dashboard: Velox hears of it from ``charge.refunded``."""
    payment = order["payments"][0]
    before = ok(await client.get(seeded.path(f"/orders/{order['id']}")))["payments"][0]
    await shop.stripe().v1.refunds.create_async(
        params={"payment_intent": payment["intent_id"], "amount": amount}
    )
    for _ in range(200):
        now = ok(await client.get(seeded.path(f"/orders/{order['id']}")))["payments"][0]
        if now["amount_refunded"] == before["amount_refunded"] + amount:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the charge.refunded webhook was not applied")


async def _sales(shop: Shop, client: httpx.AsyncClient) -> tuple[Seeded, str]:
    """Four orders, every refund path:

    1. A 30.00 shoe, gift card G1 paying 10.00: a staff refund of 25.00 goes 20.00 to
       Stripe and 5.00 back onto G1.
    2. A 10.00 shoe and a 7.00 sock on Stripe: a staff refund of 4.00, then 3.00 refunded
       in the Stripe dashboard.
    3. Two 10.00 shoes paid by gift card G2 alone: one is returned, 10.00 back onto G2.
    4. Two 10.00 shoes on Stripe, edited down to one: Stripe refunds 10.00 for the edit,
       which lowered the order's total (its gross) already.
    """
    seeded, category, sock = await shoes_and_sock(client, [3000, 1000])
    big, small = seeded.variants

    one, (g1,) = await card_paid_order(shop, client, seeded, {big: 1}, 1000)
    staff = ok(await staff_refund(client, seeded, one["id"], 2500), 201)
    assert staff["breakdown"]["payment"] == 2000 and await balances(client, seeded, g1) == [500]

    two = await paid_order(shop, client, seeded, {small: 1, sock: 1})
    ok(await staff_refund(client, seeded, two["id"], 400), 201)
    await _dashboard_refund(shop, client, seeded, two, 300)
    assert await stripe_refunds(shop, two["payments"][0]["intent_id"]) == [300, 400]

    three, _ = await gift_card_order(client, seeded, {small: 2}, 5000)
    await ship(client, seeded, three, [2])
    returned = await refunded_return(client, seeded, three, 1, restock=False)
    assert returned["refund_breakdown"]["gift_cards"][0]["amount"] == 1000

    four = await paid_order(shop, client, seeded, {small: 2})
    change = {"op": "set_quantity", "line_id": four["lines"][0]["id"], "quantity": 1}
    edit = ok(
        await client.post(seeded.path(f"/orders/{four['id']}/edits"), json={"changes": [change]}),
        201,
    )
    assert edit["payment"]["action"] == "refunded" and edit["order"]["total"] == 1000
    return seeded, category


async def test_refunded_counts_stripe_and_gift_card_refunds_once_and_not_edits(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("refunded", unique))
    seeded, category = await _sales(shop, client)
    reports, days = seeded.path("/reports"), recent()

    # gross 3000 + 1700 + 2000 + 1000; refunded 2500 + 700 + 1000 + 0.
    daily = ok(await client.get(f"{reports}/sales", params=days))
    assert figures(daily["totals"]) == (4, 6, 7700, 4200, 3500)
    assert tuple(sum(row[n] for row in daily["rows"]) for n in FIGURES) == (4, 6, 7700, 4200, 3500)

    # Order 2's 7.00 is spread over its lines: 10.00 -> 4.12, 7.00 -> 2.88.
    by_product = ok(await client.get(f"{reports}/sales", params={**days, "group_by": "product"}))
    assert [(r["label"], figures(r)) for r in by_product["rows"]] == [
        ("Trail shoe", (4, 5, 7000, 3912, 3088)),
        ("Sock", (1, 1, 700, 288, 412)),
    ]
    by_category = ok(await client.get(f"{reports}/sales", params={**days, "group_by": "category"}))
    assert [(r["key"], figures(r)) for r in by_category["rows"]] == [
        (category, (4, 5, 7000, 3912, 3088)),
        (None, (1, 1, 700, 288, 412)),
    ]
    top = ok(await client.get(f"{reports}/top-products", params={**days, "by": "net"}))
    assert [(r["title"], r["refunded"], r["net"]) for r in top["rows"]] == [
        ("Trail shoe", 3912, 3088),
        ("Sock", 288, 412),
    ]

    answer = await client.get(f"{reports}/sales", params={**days, "format": "csv"})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["day", *FIGURES, "currency"]
    assert [sum(int(row[i]) for row in rows[1:]) for i in range(1, 6)] == [4, 6, 7700, 4200, 3500]
    answer = await client.get(
        f"{reports}/sales", params={**days, "group_by": "category", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1:] == [
        (category, "Shoes", 4, 5, 7000, 3912, 3088, "USD"),
        (None, "(no category)", 1, 1, 700, 288, 412, "USD"),
    ]


async def test_a_dashboard_refund_of_a_refunded_order_counts_only_what_stripe_added(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("dashboard", unique))
    seeded = await seed(client, stock=[4], prices=[2000])
    order, _ = await card_paid_order(shop, client, seeded, {seeded.variants[0]: 1}, 500)
    ok(await staff_refund(client, seeded, order["id"], 600), 201)  # Stripe 600
    await _dashboard_refund(shop, client, seeded, order, 900)  # all of Stripe's 1500 is back
    ok(await staff_refund(client, seeded, order["id"], 500), 201)  # all on the gift card
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["payments"][0]["amount_refunded"] == 1500 and done["gift_card_total"] == 0
    sales = ok(await client.get(seeded.path("/reports/sales"), params=recent()))
    assert figures(sales["totals"]) == (1, 1, 2000, 2000, 0)
