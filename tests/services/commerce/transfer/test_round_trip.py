"""Export in the import layout: a CSV or workbook export re-imports unchanged, formats
chosen by ``format`` or ``Accept``, one store's products only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.stores.problems import problem
from tests.services.commerce.transfer.helpers import export, products, store, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _catalogue(client: httpx.AsyncClient, store_id: str) -> None:
    """Products made through the API with values a file could mangle."""
    base = f"/v1/commerce/stores/{store_id}"
    categories = ok(await client.get(f"{base}/categories"))
    shoes = next(c["id"] for c in categories if c["handle"] == "shoes")
    bodies: list[dict[str, Any]] = [
        {
            "title": '=HYPERLINK("http://evil")',
            "handle": "formula",
            "description": 'Line one,\nline "two"; tab\there',
            "status": "archived",
            "seo_title": "-5% off",
            "seo_description": "",
            "category_ids": [shoes],
            "attributes": {
                "flag": "true",
                "count": 3,
                "tags": ["a", "b"],
                "empty": "",
                "none": None,
            },
            "options": [
                {"name": "Size", "values": ["S", "M"]},
                {"name": "Colour", "values": ["Red", "+Blue"]},
            ],
            "variants": [
                {
                    "sku": "F-S-R",
                    "option_values": {"Size": "S", "Colour": "Red"},
                    "prices": {"USD": 1000, "EUR": 900},
                    "compare_at_prices": {"EUR": 1200},
                    "barcode": "0012345",
                    "weight_grams": 0,
                    "track_inventory": False,
                    "inventory_policy": "backorder",
                },
                {
                    "sku": "F-M-B",
                    "title": "Custom title",
                    "option_values": {"Size": "M", "Colour": "+Blue"},
                    "prices": {"USD": 0},
                },
            ],
        },
        {"title": "Caf\u00e9 cr\u00e8me", "variants": [{"sku": "@CAFE", "weight_grams": 12}]},
    ]
    for body in bodies:
        ok(await client.post(f"{base}/products", json=body), 201)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_an_export_reimports_unchanged(shop: Shop, unique: str, kind: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    await _catalogue(client, store_id)
    before = await products(client, store_id)
    data = await export(client, store_id, kind)
    result = ok(await upload(client, store_id, data, name=f"products.{kind}"))
    assert result["format"] == kind and result["rows"] == 3
    assert result["products"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert result["variants"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert await products(client, store_id) == before
    assert await export(client, store_id, kind) == data or kind == "xlsx"

    # Into an empty store the file makes the same catalogue.
    other = await store(client, handle="copy")
    copied = ok(await upload(client, other, data))
    assert copied["products"]["created"] == 2
    made = await products(client, other)
    for old, new in zip(before, made, strict=True):
        for key in ("title", "handle", "description", "status", "options", "attributes"):
            assert old[key] == new[key], key
        # A cell cannot tell an empty text from none: a new product gets none.
        assert (old["seo_title"], old["seo_description"] or None) == (
            new["seo_title"],
            new["seo_description"],
        )
        fields = ("sku", "title", "barcode", "option_values", "prices", "compare_at_prices")
        assert [[v[f] for f in fields] for v in old["variants"]] == [
            [v[f] for f in fields] for v in new["variants"]
        ]


async def test_the_csv_export_layout_and_formats(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    await _catalogue(client, store_id)
    path = f"/v1/commerce/stores/{store_id}/products/export"
    answer = await client.get(path)
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="products.csv"' in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("handle,title,description,status,seo_title,seo_description,")
    assert lines[0].endswith(
        "price.USD,price.EUR,compare_at.USD,compare_at.EUR,"
        "attr.count,attr.empty,attr.flag,attr.none,attr.tags"
    )
    assert lines[1].startswith("cafe-creme,Caf\u00e9 cr\u00e8me,")
    assert "'=HYPERLINK" in answer.text and "'@CAFE" in answer.text
    by_accept = await client.get(path, headers={"Accept": XLSX})
    assert by_accept.headers["content-type"] == XLSX and by_accept.content[:2] == b"PK"
    problem(await client.get(path, params={"format": "pdf"}), 422)


async def test_an_export_holds_one_store_of_one_tenant(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    store_id = await store(owner)
    await _catalogue(owner, store_id)
    sister = await store(owner, handle="sister")
    assert (await export(owner, sister)).decode("utf-8-sig").count("\n") == 1  # the header
    rival = shop.client(shop.account("rival", unique))
    theirs = await store(rival)
    assert "formula" not in (await export(rival, theirs)).decode()
    for kind in ("csv", "xlsx"):
        answer = await rival.get(
            f"/v1/commerce/stores/{store_id}/products/export", params={"format": kind}
        )
        problem(answer, 404)
