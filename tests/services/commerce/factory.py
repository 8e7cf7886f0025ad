"""Builders of a store ready to sell, through the API (the same calls a merchant makes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Seeded:
    store: str
    location: str
    variants: list[str]
    product: str

    def path(self, suffix: str) -> str:
        return f"/v1/commerce/stores/{self.store}{suffix}"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def seed(
    client: httpx.AsyncClient,
    *,
    stock: list[int] | None = None,
    prices: list[int] | None = None,
    handle: str = "shop",
    store: dict[str, Any] | None = None,
    policy: str = "deny",
    weight_grams: int = 500,
) -> Seeded:
    """A store with one location and a product whose variants have ``prices`` (USD cents)
    and ``stock`` units."""
    prices = prices or [2500]
    stock = stock if stock is not None else [10] * len(prices)
    body = {"name": "Test shop", "handle": handle, "currencies": ["EUR"], **(store or {})}
    store_id = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    base = f"/v1/commerce/stores/{store_id}"
    location = ok(await client.post(f"{base}/locations", json={"name": "Main warehouse"}), 201)[
        "id"
    ]
    product = ok(
        await client.post(
            f"{base}/products",
            json={
                "title": "Trail shoe",
                "options": [{"name": "Size", "values": [str(40 + i) for i in range(len(prices))]}],
                "variants": [
                    {
                        "sku": f"SHOE-{40 + i}",
                        "option_values": {"Size": str(40 + i)},
                        "prices": {"USD": price, "EUR": price - 100},
                        "weight_grams": weight_grams,
                        "inventory_policy": policy,
                    }
                    for i, price in enumerate(prices)
                ],
            },
        ),
        201,
    )
    variants = [v["id"] for v in product["variants"]]
    for variant, units in zip(variants, stock, strict=True):
        if units:
            ok(
                await client.post(
                    f"{base}/inventory/adjustments",
                    json={"variant_id": variant, "location_id": location, "delta": units},
                )
            )
    return Seeded(store_id, location, variants, product["id"])


async def cart_with(
    client: httpx.AsyncClient, seeded: Seeded, quantities: dict[str, int], **extra: Any
) -> dict[str, Any]:
    lines = [{"variant_id": v, "quantity": q} for v, q in quantities.items()]
    cart: dict[str, Any] = ok(
        await client.post(seeded.path("/carts"), json={"lines": lines, **extra}), 201
    )
    return cart
