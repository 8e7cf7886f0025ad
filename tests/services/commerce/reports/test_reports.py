"""Reports through the app: figures checked against the orders the test made, CSV and
XLSX downloads, paging, bad input and tenant/store isolation."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.reports.helpers import FIGURES, figures, recent, shoes_and_sock
from tests.services.commerce.returns.purchase import paid_order
from tests.services.commerce.setup.helpers import problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _shop_with_sales(shop: Shop, client: httpx.AsyncClient) -> tuple[Seeded, str]:
    """Two shoes (50.00) in one order; a 10.00 shoe and a 7.00 sock in another, 5.00 of
    it refunded; a third order cancelled (not a sale)."""
    seeded, category, sock = await shoes_and_sock(client, [2500, 1000])
    big, small = seeded.variants
    await paid_order(shop, client, seeded, {big: 2})
    mixed = await paid_order(shop, client, seeded, {small: 1, sock: 1})
    refund = {"amount": 500}
    ok(await client.post(seeded.path(f"/orders/{mixed['id']}/refunds"), json=refund), 201)
    cancelled = await paid_order(shop, client, seeded, {small: 1})
    ok(await client.post(seeded.path(f"/orders/{cancelled['id']}/cancel")))
    return seeded, category


async def test_sales_top_products_and_inventory_match_the_orders(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("sales", unique))
    seeded, category = await _shop_with_sales(shop, client)
    reports = seeded.path("/reports")

    daily = ok(await client.get(f"{reports}/sales", params=recent()))
    assert daily["currency"] == "USD" and daily["tz"] == "UTC" and len(daily["rows"]) == 3
    assert figures(daily["totals"]) == (2, 4, 6700, 500, 6200)
    summed = tuple(sum(row[name] for row in daily["rows"]) for name in FIGURES)
    assert summed == (2, 4, 6700, 500, 6200)

    by_product = ok(
        await client.get(f"{reports}/sales", params={**recent(), "group_by": "product"})
    )
    # The 5.00 refund is spread over the order's lines: 10.00 -> 2.94, 7.00 -> 2.06.
    assert [(r["label"], figures(r)) for r in by_product["rows"]] == [
        ("Trail shoe", (2, 3, 6000, 294, 5706)),
        ("Sock", (1, 1, 700, 206, 494)),
    ]
    by_category = ok(
        await client.get(f"{reports}/sales", params={**recent(), "group_by": "category"})
    )
    assert [(r["key"], r["label"], r["net"]) for r in by_category["rows"]] == [
        (category, "Shoes", 5706),
        (None, "(no category)", 494),
    ]
    paged = ok(
        await client.get(f"{reports}/sales", params={**recent(), "group_by": "product", "limit": 1})
    )
    rest = ok(
        await client.get(
            f"{reports}/sales",
            params={**recent(), "group_by": "product", "limit": 1, "cursor": paged["next_cursor"]},
        )
    )
    assert [r["label"] for r in paged["rows"] + rest["rows"]] == ["Trail shoe", "Sock"]
    assert rest["next_cursor"] is None

    top = ok(await client.get(f"{reports}/top-products", params={"by": "net", "limit": 1}))
    assert [(r["rank"], r["product_id"], r["net"]) for r in top["rows"]] == [
        (1, seeded.product, 5706)
    ]

    inventory = ok(await client.get(f"{reports}/inventory", params={"threshold": 8}))
    assert [
        (r["sku"], r["on_hand"], r["allocated"], r["available"], r["value"], r["low_stock"])
        for r in inventory["rows"]
    ] == [
        ("SOCK-1", 3, 1, 2, 2100, True),
        ("SHOE-40", 10, 2, 8, 25000, True),
        ("SHOE-41", 10, 1, 9, 10000, False),
    ]
    assert inventory["totals"] == {"variants": 3, "on_hand": 23, "value": 37100, "low_stock": 2}
    low = ok(
        await client.get(
            f"{reports}/inventory", params={"threshold": 8, "low_stock_only": True, "limit": 1}
        )
    )
    assert [r["sku"] for r in low["rows"]] == ["SOCK-1"] and low["next_cursor"]
    assert low["totals"]["variants"] == 2


async def test_reports_download_as_csv_and_xlsx(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("files", unique))
    seeded = await seed(client, stock=[4, 0], prices=[2500, 1000])
    await paid_order(shop, client, seeded, {seeded.variants[0]: 3})
    reports = seeded.path("/reports")
    days = recent()

    answer = await client.get(
        f"{reports}/sales", params={**days, "group_by": "product"}, headers={"Accept": "text/csv"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    name = f"sales-by-product_{days['from']}_{days['to']}.csv"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows == [
        ["product_id", "product", "orders", "units", "gross", "refunded", "net", "currency"],
        [seeded.product, "Trail shoe", "1", "3", "7500", "0", "7500", "USD"],
    ]

    answer = await client.get(f"{reports}/inventory", params={"format": "xlsx", "limit": 1})
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"] == 'attachment; filename="inventory.xlsx"'
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][:6] == ["sku", "product", "variant", "variant_id", "product_id", "on_hand"]
    # A download holds every row whatever the page size; 4 - 3 sold (not shipped yet).
    assert [(r[0], r[5], r[6], r[8], r[10], r[12]) for r in cells[1:]] == [
        ("SHOE-40", 4, 3, 1, False, 10000),
        ("SHOE-41", 0, 0, 0, True, 0),
    ]

    answer = await client.get(f"{reports}/top-products", params={**days, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1] == (
        1,
        seeded.product,
        "Trail shoe",
        1,
        3,
        7500,
        0,
        7500,
        "USD",
    )
    daily = await client.get(
        f"{reports}/sales", params={**days, "format": "csv", "tz": "Asia/Tokyo"}
    )
    lines = daily.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "day,orders,units,gross,refunded,net,currency" and len(lines) == 4
    assert sum(int(line.split(",")[3]) for line in lines[1:]) == 7500


async def test_bad_report_parameters_are_problems(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("badrep", unique))
    store = ok(await client.post("/v1/commerce/stores", json={"name": "S", "handle": "s"}), 201)
    base = f"/v1/commerce/stores/{store['id']}/reports"
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("/sales", {"from": "2025-02-01", "to": "2025-01-01"}, 422),
        ("/sales", {"from": "2024-01-01", "to": "2025-01-01"}, 422),  # 367 days
        ("/sales", {"from": "2025-13-01"}, 422),
        ("/sales", {"tz": "Mars/Olympus_Mons"}, 422),
        ("/sales", {"tz": "x" * 65}, 422),
        ("/sales", {"currency": "GBP"}, 422),
        ("/sales", {"currency": "usd"}, 422),
        ("/sales", {"format": "pdf"}, 422),
        ("/sales", {"group_by": "week"}, 422),
        ("/sales", {"group_by": "product", "limit": 501}, 422),
        ("/sales", {"group_by": "product", "cursor": "%%%"}, 400),
        ("/sales", {"group_by": "product", "cursor": "eyJvZmZzZXQiOi0xfQ"}, 400),
        ("/top-products", {"limit": 101}, 422),
        ("/top-products", {"by": "revenue"}, 422),
        ("/top-products", {"from": "2025-02-01", "to": "2025-01-01"}, 422),
        ("/inventory", {"threshold": -1}, 422),
        ("/inventory", {"limit": 0}, 422),
        ("/inventory", {"currency": "JPY"}, 422),
        ("/inventory", {"cursor": "x" * 513}, 422),
    ]
    for suffix, params, status in cases:
        problem(await client.get(base + suffix, params=params), status)
    leap = ok(await client.get(f"{base}/sales", params={"from": "2024-01-01", "to": "2024-12-31"}))
    assert len(leap["rows"]) == 366 and figures(leap["totals"]) == (0, 0, 0, 0, 0)


async def test_another_account_or_store_sees_none_of_the_figures(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    seeded = await seed(owner, stock=[2])
    await paid_order(shop, owner, seeded, {seeded.variants[0]: 1})
    sister = await seed(owner, stock=[1], handle="sister")
    foreign = await seed(other, stock=[1], handle="other")
    for suffix in ("/reports/sales", "/reports/top-products", "/reports/inventory"):
        answer = await other.get(seeded.path(suffix))
        assert answer.status_code == 404, (suffix, answer.text)
    for client, store in [(owner, sister), (other, foreign)]:
        sales = ok(await client.get(store.path("/reports/sales"), params=recent()))
        assert figures(sales["totals"]) == (0, 0, 0, 0, 0)
        assert ok(await client.get(store.path("/reports/top-products")))["rows"] == []
        inventory = ok(await client.get(store.path("/reports/inventory")))
        assert [r["variant_id"] for r in inventory["rows"]] == store.variants
    mine = ok(await owner.get(seeded.path("/reports/sales"), params=recent()))
    assert figures(mine["totals"]) == (1, 1, 2500, 0, 2500)
