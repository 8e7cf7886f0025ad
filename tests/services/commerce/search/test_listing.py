"""Category pages: a category's products and its subcategories', prices in two currencies."""

from __future__ import annotations

from typing import Any

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.search.catalogue import build, ids
from tests.services.commerce.stores.problems import problem


async def test_a_category_page_lists_its_subtree_newest_first(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    path = cat.path(f"/categories/{cat.categories['Shoes']}/products")
    page = ok(await client.get(path, params={"currencies": ["USD", "EUR"]}))
    assert page["category_id"] == cat.categories["Shoes"] and page["total"] == 2
    assert ids(page) == [cat.products["trail"], cat.products["sneakers"]]
    assert page["items"][1]["prices"] == {
        "USD": {"min": 5000, "max": 5500},
        "EUR": {"min": 4500, "max": 5000},
    }
    assert "score" not in page["items"][0] and page["next_cursor"] is None
    first = ok(await client.get(path, params={"limit": 1, "sort": "price_desc"}))
    assert ids(first) == [cat.products["trail"]] and set(first["items"][0]["prices"]) == {"USD"}
    second = ok(
        await client.get(
            path, params={"limit": 1, "sort": "price_desc", "cursor": first["next_cursor"]}
        )
    )
    assert ids(second) == [cat.products["sneakers"]] and second["next_cursor"] is None
    euro = ok(await client.get(path, params={"currencies": "EUR", "sort": "price_asc"}))
    assert ids(euro) == [cat.products["sneakers"], cat.products["trail"]]
    in_stock = ok(await client.get(path, params={"in_stock": "true"}))
    assert ids(in_stock) == [cat.products["sneakers"]]


BAD_LISTINGS: list[tuple[dict[str, Any], int]] = [
    ({"sort": "relevance"}, 422),
    ({"limit": 101}, 422),
    ({"currencies": "GBP"}, 422),
    ({"currencies": ["USD"] * 21}, 422),
    ({"q": "shoe"}, 422),  # no words on a category page
    ({"cursor": "!!"}, 400),
]


async def test_bad_listing_input_is_a_problem(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    body = {"name": "Bad input", "handle": "bad", "currencies": ["USD"]}
    store = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    base = f"/v1/commerce/stores/{store}"
    category = ok(await client.post(f"{base}/categories", json={"name": "All"}), 201)["id"]
    path = f"{base}/categories/{category}/products"
    for params, status in BAD_LISTINGS:
        answer = await client.get(path, params=params)
        assert answer.status_code == status, (params, answer.text)
        problem(answer, status)
    assert ok(await client.get(path))["total"] == 0


async def test_a_category_of_another_store_or_tenant_is_not_found(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    cat = await build(owner)
    second = ok(
        await owner.post("/v1/commerce/stores", json={"name": "Two", "handle": "two"}), 201
    )["id"]
    shoes = cat.categories["Shoes"]
    answer = await owner.get(f"/v1/commerce/stores/{second}/categories/{shoes}/products")
    problem(answer, 404, "not-found")
    problem(await owner.get(cat.path("/categories/cat_nope/products")), 404, "not-found")
    intruder = shop.client(shop.account("intruder", unique))
    problem(await intruder.get(cat.path(f"/categories/{shoes}/products")), 404, "not-found")
