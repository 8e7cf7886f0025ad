"""A small store to search: a category tree, products with attributes, options, SKUs,
prices in USD and EUR, stock, one draft; built through the API as a merchant would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.services.commerce.factory import ok


@dataclass
class Catalogue:
    store: str
    location: str
    categories: dict[str, str]  # name -> id
    products: dict[str, str] = field(default_factory=dict)  # key -> id
    variants: dict[str, list[str]] = field(default_factory=dict)

    def path(self, suffix: str) -> str:
        return f"/v1/commerce/stores/{self.store}{suffix}"


# key: (title, category, attributes, [(size, usd, units)], description, extra)
PRODUCTS: list[tuple[str, str, str, dict[str, Any], list[tuple[str, int, int]], str]] = [
    (
        "sneakers",
        "Red running sneakers",
        "Running",
        {"color": "red", "material": "mesh"},
        [("40", 5000, 5), ("41", 5500, 0)],
        "Light shoes for road running.",
    ),
    (
        "trail",
        "Blue trail shoe",
        "Trail",
        {"color": "blue", "material": "leather"},
        [("42", 8000, 0)],
        "Grippy soles for muddy paths.",
    ),
    (
        "socks",
        "Wool socks",
        "Apparel",
        {"color": "red", "material": "wool"},
        [("m", 1000, 10)],
        "Warm winter socks, knitted.",
    ),
    (
        "jacket",
        "Rain jacket",
        "Apparel",
        {"color": "yellow", "tags": ["waterproof", "hooded"]},
        [("l", 12000, 3)],
        "Keeps you dry.",
    ),
]


async def build(client: httpx.AsyncClient, handle: str = "shop") -> Catalogue:
    """The store above; products are created oldest first in ``PRODUCTS`` order."""
    body = {"name": "Search shop", "handle": handle, "currencies": ["USD", "EUR"]}
    store = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    base = f"/v1/commerce/stores/{store}"
    location = ok(await client.post(f"{base}/locations", json={"name": "Depot"}), 201)["id"]
    made: dict[str, str] = {}
    for name, parent in (
        ("Shoes", None),
        ("Running", "Shoes"),
        ("Trail", "Shoes"),
        ("Apparel", None),
    ):
        node = {"name": name, "parent_id": made.get(parent or "")}
        made[name] = ok(await client.post(f"{base}/categories", json=node), 201)["id"]
    catalogue = Catalogue(store, location, made)
    for key, title, category, attributes, sizes, description in PRODUCTS:
        await add_product(catalogue, client, key, title, category, attributes, sizes, description)
    draft = {
        "title": "Secret sneakers",
        "status": "draft",
        "variants": [{"sku": "SECRET-1", "prices": {"USD": 100}}],
    }
    catalogue.products["draft"] = ok(await client.post(f"{base}/products", json=draft), 201)["id"]
    return catalogue


async def add_product(
    catalogue: Catalogue,
    client: httpx.AsyncClient,
    key: str,
    title: str,
    category: str,
    attributes: dict[str, Any],
    sizes: list[tuple[str, int, int]],
    description: str = "",
) -> str:
    body = {
        "title": title,
        "description": description,
        "attributes": attributes,
        "category_ids": [catalogue.categories[category]],
        "options": [{"name": "Size", "values": [s for s, _, _ in sizes]}],
        "variants": [
            {
                "sku": f"{key.upper()}-{size.upper()}",
                "option_values": {"Size": size},
                "prices": {"USD": usd, "EUR": usd - 500},
            }
            for size, usd, _ in sizes
        ],
    }
    product = ok(await client.post(catalogue.path("/products"), json=body), 201)
    catalogue.products[key] = product["id"]
    catalogue.variants[key] = [v["id"] for v in product["variants"]]
    for variant, (_, _, units) in zip(catalogue.variants[key], sizes, strict=True):
        if units:
            await stock(client, catalogue, variant, units)
    return str(product["id"])


async def stock(client: httpx.AsyncClient, catalogue: Catalogue, variant: str, delta: int) -> None:
    adjustment = {"variant_id": variant, "location_id": catalogue.location, "delta": delta}
    ok(await client.post(catalogue.path("/inventory/adjustments"), json=adjustment))


def ids(answer: dict[str, Any]) -> list[str]:
    return [item["id"] for item in answer["items"]]
