"""Calls of the import and export endpoints, and a store to import into."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.factory import ok

HEADER = (
    "handle,title,description,status,categories,option1_name,option1_value,sku,"
    "variant_title,barcode,weight_grams,price.USD,price.EUR,compare_at.USD,attr.material"
)


async def store(client: httpx.AsyncClient, handle: str = "shop") -> str:
    """A store selling USD and EUR with the categories ``shoes`` and ``sale``."""
    body = {"name": "Import shop", "handle": handle, "currencies": ["USD", "EUR"]}
    store_id: str = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    for name in ("Shoes", "Sale"):
        ok(
            await client.post(f"/v1/commerce/stores/{store_id}/categories", json={"name": name}),
            201,
        )
    return store_id


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def upload(
    client: httpx.AsyncClient,
    store_id: str,
    data: bytes,
    *,
    name: str = "products.csv",
    media: str = "text/csv",
    dry_run: bool = False,
) -> httpx.Response:
    """POST the file as a multipart ``file`` part called ``name`` of type ``media``."""
    return await client.post(
        f"/v1/commerce/stores/{store_id}/products/import",
        params={"dry_run": "true"} if dry_run else None,
        files={"file": (name, data, media)},
    )


async def export(client: httpx.AsyncClient, store_id: str, kind: str = "csv") -> bytes:
    answer = await client.get(
        f"/v1/commerce/stores/{store_id}/products/export", params={"format": kind}
    )
    assert answer.status_code == 200, answer.text
    return answer.content


async def products(client: httpx.AsyncClient, store_id: str) -> list[dict[str, Any]]:
    """Every product of the store (tests stay under one page), by handle."""
    page = ok(await client.get(f"/v1/commerce/stores/{store_id}/products", params={"limit": 100}))
    items: list[dict[str, Any]] = page["items"]
    return sorted(items, key=lambda p: p["handle"])
