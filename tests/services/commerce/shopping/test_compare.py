"""Product comparison through the app: attributes, options, prices side by side under the
union of names, bad input and isolation."""

from __future__ import annotations

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.shopping.helpers import free_product, free_store


async def test_products_compare_side_by_side(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("cmp", unique))
    seeded = await free_store(client)
    mesh = await free_product(
        client,
        seeded,
        "Mesh runner",
        attributes={"Material": "mesh", "Weight": 250},
        sizes=("41", "42"),
    )
    leather = await free_product(
        client, seeded, "Leather boot", attributes={"Material": "leather", "Waterproof": True}
    )
    answer = ok(
        await client.get(
            seeded.path("/compare"),
            params={"product_ids": [leather["id"], mesh["id"], seeded.product]},
        )
    )
    assert answer["attributes"] == ["Material", "Waterproof", "Weight"]
    assert answer["options"] == ["Size"]
    products = answer["products"]
    assert [p["id"] for p in products] == [leather["id"], mesh["id"], seeded.product]
    assert products[0]["attributes"] == {"Material": "leather", "Waterproof": True, "Weight": None}
    assert products[1]["attributes"] == {"Material": "mesh", "Waterproof": None, "Weight": 250}
    assert products[0]["options"] == {"Size": []} and products[1]["options"] == {
        "Size": ["41", "42"]
    }
    assert products[2]["options"] == {"Size": ["40"]}
    assert products[1]["prices"] == {"USD": {"min": 0, "max": 0}, "EUR": {"min": 0, "max": 0}}
    assert products[1]["in_stock"] is True and products[1]["rating"] == {
        "average": None,
        "count": 0,
    }


async def test_compare_bad_input(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("cmpbad", unique))
    seeded = await free_store(client)
    draft = await free_product(client, seeded, "Draft boot", status="draft")
    a = seeded.product
    for ids in ([a], [a, a], [a, "b", "c", "d", "e"], [a, "x" * 41], []):
        answer = await client.get(seeded.path("/compare"), params={"product_ids": ids})
        assert answer.status_code == 422, ids
    for missing in ("prod_nope", draft["id"]):
        answer = await client.get(seeded.path("/compare"), params={"product_ids": [a, missing]})
        assert answer.status_code == 404 and answer.json()["product_ids"] == [missing]


async def test_compare_stays_in_its_tenant_and_store(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("cmphome", unique))
    seeded = await free_store(client)
    other = await free_product(client, seeded, "Other shoe")
    second_store = await free_store(client, handle="second")
    ids = {"product_ids": [seeded.product, other["id"]]}
    assert len(ok(await client.get(seeded.path("/compare"), params=ids))["products"]) == 2
    stranger = shop.client(shop.account("cmpaway", unique))
    assert (await stranger.get(seeded.path("/compare"), params=ids)).status_code == 404
    mixed = {"product_ids": [second_store.product, other["id"]]}
    answer = await client.get(second_store.path("/compare"), params=mixed)
    assert answer.status_code == 404 and answer.json()["product_ids"] == [other["id"]]
