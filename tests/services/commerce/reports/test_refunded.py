"""The sales report's ``refunded`` is everything the orders gave back: the Stripe part
and the gift card part of staff and return refunds, and a refund made in the Stripe
dashboard, each once; an order edit's refund is not (the edit lowered the gross)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.returns.purchase import (
    balances,
    gift_card,
    gift_card_order,
    paid_order,
    ship,
    stripe_refunds,
)

FIGURES = ("orders", "units", "gross", "refunded", "net")


def _today() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


def _figures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[name] for name in FIGURES)


async def _sock(client: httpx.AsyncClient, seeded: Seeded) -> str:
    """A second product, 7.00 USD, in no category."""
    body = {"title": "Sock", "variants": [{"sku": "SOCK-1", "prices": {"USD": 700}}]}
    sock: str = ok(await client.post(seeded.path("/products"), json=body), 201)["variants"][0]["id"]
    adjustment = {"variant_id": sock, "location_id": seeded.location, "delta": 3}
    ok(await client.post(seeded.path("/inventory/adjustments"), json=adjustment))
    return sock


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


async def _returned(
    client: httpx.AsyncClient, seeded: Seeded, order: dict[str, Any], units: int
) -> dict[str, Any]:
    """A return of ``units`` of the order's first line, received and refunded."""
    line = order["lines"][0]["id"]
    made = ok(
        await client.post(
            seeded.path(f"/orders/{order['id']}/returns"),
            json={"lines": [{"order_line_id": line, "quantity": units}]},
        ),
        201,
    )
    ok(await client.post(seeded.path(f"/returns/{made['id']}/approve")))
    ok(await client.post(seeded.path(f"/returns/{made['id']}/receive"), json={"restock": False}))
    refunded: dict[str, Any] = ok(await client.post(seeded.path(f"/returns/{made['id']}/refund")))
    return refunded


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
    seeded = await seed(client, stock=[10, 10], prices=[3000, 1000])
    category = ok(await client.post(seeded.path("/categories"), json={"name": "Shoes"}), 201)
    patch = {"category_ids": [category["id"]]}
    ok(await client.patch(seeded.path(f"/products/{seeded.product}"), json=patch))
    sock = await _sock(client, seeded)
    big, small = seeded.variants

    g1 = await gift_card(client, seeded, 1000)
    one = await paid_order(shop, client, seeded, {big: 1}, gift_card_codes=[g1["code"]])
    staff = ok(
        await client.post(seeded.path(f"/orders/{one['id']}/refunds"), json={"amount": 2500}),
        201,
    )
    assert staff["breakdown"]["payment"] == 2000 and await balances(client, seeded, g1) == [500]

    two = await paid_order(shop, client, seeded, {small: 1, sock: 1})
    ok(await client.post(seeded.path(f"/orders/{two['id']}/refunds"), json={"amount": 400}), 201)
    await _dashboard_refund(shop, client, seeded, two, 300)
    assert await stripe_refunds(shop, two["payments"][0]["intent_id"]) == [300, 400]

    g2 = await gift_card(client, seeded, 5000)
    three = await gift_card_order(client, seeded, {small: 2}, g2["code"])
    await ship(client, seeded, three, [2])
    returned = await _returned(client, seeded, three, 1)
    assert returned["refund_breakdown"]["gift_cards"][0]["amount"] == 1000

    four = await paid_order(shop, client, seeded, {small: 2})
    change = {"op": "set_quantity", "line_id": four["lines"][0]["id"], "quantity": 1}
    edit = ok(
        await client.post(seeded.path(f"/orders/{four['id']}/edits"), json={"changes": [change]}),
        201,
    )
    assert edit["payment"]["action"] == "refunded" and edit["order"]["total"] == 1000
    return seeded, category["id"]


async def test_refunded_counts_stripe_and_gift_card_refunds_once_and_not_edits(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("refunded", unique))
    seeded, category = await _sales(shop, client)
    reports, days = seeded.path("/reports"), _today()

    # gross 3000 + 1700 + 2000 + 1000; refunded 2500 + 700 + 1000 + 0.
    daily = ok(await client.get(f"{reports}/sales", params=days))
    assert _figures(daily["totals"]) == (4, 6, 7700, 4200, 3500)
    assert tuple(sum(row[n] for row in daily["rows"]) for n in FIGURES) == (4, 6, 7700, 4200, 3500)

    # Order 2's 7.00 is spread over its lines: 10.00 -> 4.12, 7.00 -> 2.88.
    by_product = ok(await client.get(f"{reports}/sales", params={**days, "group_by": "product"}))
    assert [(r["label"], _figures(r)) for r in by_product["rows"]] == [
        ("Trail shoe", (4, 5, 7000, 3912, 3088)),
        ("Sock", (1, 1, 700, 288, 412)),
    ]
    by_category = ok(await client.get(f"{reports}/sales", params={**days, "group_by": "category"}))
    assert [(r["key"], _figures(r)) for r in by_category["rows"]] == [
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
    card = await gift_card(client, seeded, 500)
    order = await paid_order(
        shop, client, seeded, {seeded.variants[0]: 1}, gift_card_codes=[card["code"]]
    )
    path = seeded.path(f"/orders/{order['id']}/refunds")
    ok(await client.post(path, json={"amount": 600}), 201)  # Stripe 600
    await _dashboard_refund(shop, client, seeded, order, 900)  # all of Stripe's 1500 is back
    ok(await client.post(path, json={"amount": 500}), 201)  # all on the gift card
    done = ok(await client.get(seeded.path(f"/orders/{order['id']}")))
    assert done["payments"][0]["amount_refunded"] == 1500 and done["gift_card_total"] == 0
    sales = ok(await client.get(seeded.path("/reports/sales"), params=_today()))
    assert _figures(sales["totals"]) == (1, 1, 2000, 2000, 0)
