"""A store with sales to report on, and the figures of a report row (shared by the
reports tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.services.commerce.factory import Seeded, ok, seed

FIGURES = ("orders", "units", "gross", "refunded", "net")


def recent() -> dict[str, str]:
    """Yesterday to tomorrow (UTC): today's orders are in, whenever the test runs."""
    today = datetime.now(UTC).date()
    return {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}


def figures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[name] for name in FIGURES)


async def shoes_and_sock(
    client: httpx.AsyncClient, shoe_prices: list[int]
) -> tuple[Seeded, str, str]:
    """A store selling two shoes at ``shoe_prices`` (10 of each, in the category
    "Shoes") and a 7.00 sock (3 in stock, in no category); the store, the category's id
    and the sock's variant id."""
    seeded = await seed(client, stock=[10, 10], prices=shoe_prices)
    category = ok(await client.post(seeded.path("/categories"), json={"name": "Shoes"}), 201)
    patch = {"category_ids": [category["id"]]}
    ok(await client.patch(seeded.path(f"/products/{seeded.product}"), json=patch))
    body = {"title": "Sock", "variants": [{"sku": "SOCK-1", "prices": {"USD": 700}}]}
    sock: str = ok(await client.post(seeded.path("/products"), json=body), 201)["variants"][0]["id"]
    adjustment = {"variant_id": sock, "location_id": seeded.location, "delta": 3}
    ok(await client.post(seeded.path("/inventory/adjustments"), json=adjustment))
    return seeded, category["id"], sock
