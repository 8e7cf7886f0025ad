"""Product import through the API: create, update, dry run, errors by row and column with
nothing written, file type by content, limits, tenant and store isolation."""

from __future__ import annotations

import asyncio
import json

from redis.asyncio import Redis

from tests.services.commerce.conftest import STREAM, Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.stores.problems import problem
from tests.services.commerce.transfer.helpers import csv, export, products, store, upload


async def _events(redis: Redis, account: str, wanted: int) -> list[tuple[str, str]]:
    """(type, product id) of the account's catalogue events on the stream, once the relay
    has published ``wanted`` of them (it runs beside the app, so poll briefly)."""
    found: list[tuple[str, str]] = []
    for _ in range(100):
        found = []
        for _id, fields in await redis.xrange(STREAM) or []:
            envelope = json.loads((fields or {})[b"envelope"])
            if envelope["account_id"] == account and envelope["type"].startswith(
                "commerce.product."
            ):
                found.append((envelope["type"], envelope["payload"]["product_id"]))
        if len(found) >= wanted:
            break
        await asyncio.sleep(0.05)
    return found


ROWS = (
    'trail-shoe,Trail shoe,"Grippy, light",active,shoes|sale,Size,40,TS-40,,4006381333931,'
    "500,2500,2300,3000,mesh",
    "trail-shoe,,,,,,41,TS-41,Wide 41,,520,2600,2400,,",
    "wool-sock,Wool sock,,draft,,,,WS-1,,,80,900,,,",
)


async def test_a_file_creates_products_then_updates_only_what_changed(
    shop: Shop, unique: str, redis: Redis
) -> None:
    account = shop.account("owner", unique)
    client = shop.client(account)
    store_id = await store(client)
    result = ok(await upload(client, store_id, csv(*ROWS)))
    assert result == {
        "dry_run": False,
        "format": "csv",
        "rows": 3,
        "products": {"created": 2, "updated": 0, "unchanged": 0},
        "variants": {"created": 3, "updated": 0, "unchanged": 0},
    }
    shoe, sock = await products(client, store_id)
    assert (shoe["title"], shoe["description"], shoe["status"]) == (
        "Trail shoe",
        "Grippy, light",
        "active",
    )
    assert shoe["options"] == [{"name": "Size", "values": ["40", "41"]}]
    assert shoe["attributes"] == {"material": "mesh"} and len(shoe["category_ids"]) == 2
    first, second = shoe["variants"]
    assert (first["sku"], first["title"], first["barcode"], first["weight_grams"]) == (
        "TS-40",
        "40",
        "4006381333931",
        500,
    )
    assert first["prices"] == {"EUR": 2300, "USD": 2500}
    assert first["compare_at_prices"] == {"USD": 3000}
    assert (second["title"], second["prices"]) == ("Wide 41", {"EUR": 2400, "USD": 2600})
    assert (sock["status"], sock["variants"][0]["prices"]) == ("draft", {"USD": 900})

    changed = csv(ROWS[0], ROWS[1].replace("2600", "2650"), "wool-sock,,,,,,,WS-2,,,90,950,,,")
    dry = ok(await upload(client, store_id, changed, dry_run=True))
    assert dry["dry_run"] is True
    assert dry["products"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert dry["variants"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert await products(client, store_id) == [shoe, sock]  # a dry run writes nothing
    applied = ok(await upload(client, store_id, changed))
    assert (applied["products"], applied["variants"]) == (dry["products"], dry["variants"])
    shoe, sock = await products(client, store_id)
    assert shoe["variants"][1]["prices"]["USD"] == 2650
    assert [v["sku"] for v in sock["variants"]] == ["WS-1", "WS-2"]
    again = ok(await upload(client, store_id, changed))
    assert again["products"] == {"created": 0, "updated": 0, "unchanged": 2}
    # Published as the catalogue API would: two created, then two updated, once.
    published = sorted(await _events(redis, account, 4))
    assert published == sorted(
        [
            (f"commerce.product.{kind}", p["id"])
            for kind in ("created", "updated")
            for p in (shoe, sock)
        ]
    )


async def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    rows = (
        ROWS[0],
        "trail-shoe,Other title,,,,,42,TS-42,,,10,19.99,,,",  # row 3
        "Bad Handle,X,,,,,,B-1,,,,100,,,",  # row 4
        "no-title,,,,,,,TS-40,,,,100,,,",  # row 5: a new product, a repeated SKU
        "gadget,Gadget,,sold,nope,,,G-1,,,-5,100,,200,",  # row 6
    )
    refused = problem(await upload(client, store_id, csv(*rows)), 422, "import-invalid")
    found = {(e["row"], e["column"]) for e in refused["errors"]}
    assert {
        (3, "title"),
        (3, "price.USD"),
        (4, "handle"),
        (5, "sku"),
        (6, "weight_grams"),
    } <= found, refused["errors"]
    assert all(e["message"] for e in refused["errors"])
    assert [e["row"] for e in refused["errors"]] == sorted(e["row"] for e in refused["errors"])
    assert "nothing was imported" in refused["detail"]
    assert await products(client, store_id) == []


async def test_a_bad_header_is_refused_before_the_rows(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    data = csv("shoe,S-1,1,2", header="handle,colour,price.GBP,sku")
    refused = problem(await upload(client, store_id, data), 422, "import-invalid")
    assert {(e["row"], e["column"]) for e in refused["errors"]} == {
        (1, "colour"),
        (1, "price.GBP"),
    }


async def test_the_file_type_is_told_by_content_not_name(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    refused = problem(await upload(client, store_id, png), 415, "unsupported-media-type")
    assert "PNG" in refused["detail"]
    workbook = await export(client, store_id, "xlsx")  # a header only: no rows
    problem(await upload(client, store_id, workbook, name="p.csv"), 422, "import-invalid")
    ok(await upload(client, store_id, csv(*ROWS)))
    workbook = await export(client, store_id, "xlsx")
    named_csv = ok(await upload(client, store_id, workbook, name="products.csv"))
    assert named_csv["format"] == "xlsx" and named_csv["products"]["unchanged"] == 2
    raw = await client.post(
        f"/v1/commerce/stores/{store_id}/products/import",
        content=csv(*ROWS),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert ok(raw)["variants"] == {"created": 0, "updated": 0, "unchanged": 3}
    missing = await client.post(
        f"/v1/commerce/stores/{store_id}/products/import",
        files={"upload": ("p.csv", csv(*ROWS), "text/csv")},
    )
    problem(missing, 400)


async def test_files_over_the_limits_are_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    store_id = await store(client)
    too_many = b"handle,sku\n" + b"a,1\n" * 20_001
    refused = problem(await upload(client, store_id, too_many), 413)
    assert (refused["limit"], refused["unit"]) == (20_000, "rows")
    too_big = b"handle,sku\n" + b"x" * (10 * 1024 * 1024)
    refused = problem(await upload(client, store_id, too_big), 413)
    assert refused["unit"] == "bytes"
    assert await products(client, store_id) == []


async def test_an_import_touches_one_store_of_one_tenant(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    store_id = await store(owner)
    sister = await store(owner, handle="sister")
    ok(await upload(owner, store_id, csv(*ROWS)))
    # The same handles and SKUs in another store of the account are other products.
    result = ok(await upload(owner, sister, csv(*ROWS)))
    assert result["products"]["created"] == 2
    mine = {v["id"] for p in await products(owner, store_id) for v in p["variants"]}
    theirs = {v["id"] for p in await products(owner, sister) for v in p["variants"]}
    assert len(mine) == len(theirs) == 3 and not mine & theirs
    rival = shop.client(shop.account("rival", unique))
    await store(rival)
    problem(await upload(rival, store_id, csv(*ROWS)), 404)
    answer = await rival.get(f"/v1/commerce/stores/{store_id}/products/export")
    problem(answer, 404)
