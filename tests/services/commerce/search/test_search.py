"""Search through the running app: words, typos, SKUs, filters, facets, sorts, pages,
currencies, bad input and isolation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.search.catalogue import Catalogue, build, ids
from tests.services.commerce.stores.problems import problem


async def search(client: httpx.AsyncClient, cat: Catalogue, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ok(await client.get(cat.path("/search"), params=params))
    return answer


def keys(cat: Catalogue, answer: dict[str, Any]) -> set[str]:
    names = {v: k for k, v in cat.products.items()}
    return {names[i] for i in ids(answer)}


async def test_words_match_title_description_skus_and_attributes_typos_included(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    for words, found, match in (
        ("sneakers", {"sneakers"}, "fulltext"),
        ("warm winter", {"socks"}, "fulltext"),  # description
        ("JACKET-L", {"jacket"}, "fulltext"),  # SKU
        ("waterproof", {"jacket"}, "fulltext"),  # attribute value
        ("shoes", {"sneakers", "trail"}, "fulltext"),  # stemmed: shoe
        ("sneekers", {"sneakers"}, "fuzzy"),
        ("rain jakcet", {"jacket"}, "fuzzy"),
        ("secret", set(), "fuzzy"),  # a draft is never found
        ('"rain jacket"', {"jacket"}, "fulltext"),  # a phrase
        ("the", set(), "fuzzy"),  # a stop word only
        ("%&*!", set(), "fuzzy"),
    ):
        answer = await search(client, cat, q=words)
        assert (keys(cat, answer), answer["match"]) == (found, match), words
        assert answer["total"] == len(found) and answer["query"] == words
    first = await search(client, cat, q="red running sneakers")
    assert first["items"][0]["score"] > 0


async def test_filters_narrow_the_matches(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    shoes, running, apparel = (cat.categories[n] for n in ("Shoes", "Running", "Apparel"))
    for params, found in (
        ({"category": shoes}, {"sneakers", "trail"}),  # subcategories included
        ({"category": [running, apparel]}, {"sneakers", "socks", "jacket"}),
        ({"attr": "Color:RED"}, {"sneakers", "socks"}),
        ({"attr": ["color:red", "color:blue"]}, {"sneakers", "trail", "socks"}),
        ({"attr": ["color:red", "material:wool"]}, {"socks"}),
        ({"attr": "size:41"}, {"sneakers"}),  # variant option values
        ({"min_price": 2000, "max_price": 9000}, {"sneakers", "trail"}),
        ({"currency": "EUR", "min_price": 4500, "max_price": 4500}, {"sneakers"}),
        ({"in_stock": "true"}, {"sneakers", "socks", "jacket"}),
        ({"in_stock": "false"}, {"trail"}),
        ({"q": "shoe", "category": shoes, "in_stock": "true"}, {"sneakers"}),
    ):
        answer = await search(client, cat, **params)
        assert keys(cat, answer) == found, params
        assert answer["total"] == len(found)


async def test_facets_count_each_filter_without_its_own(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    answer = await search(client, cat, attr="color:red", min_price=2000)
    assert keys(cat, answer) == {"sneakers"}
    facets = answer["facets"]
    values = {
        a["name"]: {v["value"]: v["count"] for v in a["values"]} for a in facets["attributes"]
    }
    # color counted without the color filter (other colours stay selectable), with the price
    assert values["color"] == {"red": 1, "blue": 1, "yellow": 1}
    assert values["material"] == {"mesh": 1}
    assert values["size"] == {"40": 1, "41": 1}
    # the price range ignores the price filter: both red products
    assert facets["price"] == {"currency": "USD", "min": 1000, "max": 5000}
    assert facets["availability"] == {"in_stock": 1, "out_of_stock": 0}
    counts = {c["id"]: c["count"] for c in facets["categories"]}
    assert counts == {cat.categories["Shoes"]: 1, cat.categories["Running"]: 1}
    everything = (await search(client, cat))["facets"]
    assert everything["availability"] == {"in_stock": 3, "out_of_stock": 1}
    assert {c["name"]: c["count"] for c in everything["categories"]} == {
        "Shoes": 2,
        "Running": 1,
        "Trail": 1,
        "Apparel": 2,
    }
    assert (await search(client, cat, facets="false"))["facets"] is None


async def test_sorts_and_cursor_pages(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    order = ["socks", "sneakers", "trail", "jacket"]
    for sort, expected in (
        ("price_asc", order),
        ("price_desc", order[::-1]),
        ("newest", ["jacket", "socks", "trail", "sneakers"]),
        ("relevance", ["jacket", "socks", "trail", "sneakers"]),  # no words: newest
    ):
        answer = await search(client, cat, sort=sort)
        assert ids(answer) == [cat.products[k] for k in expected], sort
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(4):
        params: dict[str, Any] = {"sort": "price_asc", "limit": 1, "facets": "false"}
        page = await search(client, cat, **params, **({"cursor": cursor} if cursor else {}))
        assert page["total"] == 4
        seen += ids(page)
        cursor = page["next_cursor"]
    assert seen == [cat.products[k] for k in order] and cursor is None


async def test_prices_come_in_the_currencies_asked_for(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    both = await search(client, cat, q="sneakers", currencies=["USD", "EUR"])
    assert both["items"][0]["prices"] == {
        "USD": {"min": 5000, "max": 5500},
        "EUR": {"min": 4500, "max": 5000},
    }
    euro = await search(client, cat, q="sneakers", currency="EUR")
    assert euro["items"][0]["prices"] == {"EUR": {"min": 4500, "max": 5000}}
    assert euro["facets"]["price"] == {"currency": "EUR", "min": 4500, "max": 4500}
    default = await search(client, cat, q="sneakers")
    assert set(default["items"][0]["prices"]) == {"USD"}


BAD_SEARCHES: list[tuple[dict[str, Any], int]] = [
    ({"sort": "cheapest"}, 422),
    ({"limit": 0}, 422),
    ({"limit": 101}, 422),
    ({"q": "x" * 201}, 422),
    ({"attr": "color"}, 422),
    ({"attr": ":red"}, 422),
    ({"attr": "color: "}, 422),
    ({"attr": [f"a{i}:b" for i in range(21)]}, 422),
    ({"category": [f"cat_{i}" for i in range(21)]}, 422),
    ({"min_price": 500, "max_price": 100}, 422),
    ({"min_price": -1}, 422),
    ({"max_price": 10**13}, 422),
    ({"currency": "usd"}, 422),
    ({"currency": "XYZ"}, 422),  # no ISO 4217 currency
    ({"currency": "GBP"}, 422),  # not a currency of the store
    ({"currencies": ["USD", "JPY"]}, 422),
    ({"category": "cat_missing"}, 422),
    ({"in_stock": "maybe"}, 422),
    ({"sortby": "price_asc"}, 422),  # unknown parameter
    ({"cursor": "not a cursor"}, 400),
    ({"cursor": "eyJvIjotMX0"}, 400),  # {"o":-1}
    ({"cursor": "eyJvIjoxMDAwMH0"}, 422),  # {"o":10000}: past the result window
]


async def test_bad_search_input_is_a_problem(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    body = {"name": "Bad input", "handle": "bad", "currencies": ["USD", "EUR"]}
    store = ok(await client.post("/v1/commerce/stores", json=body), 201)["id"]
    for params, status in BAD_SEARCHES:
        answer = await client.get(f"/v1/commerce/stores/{store}/search", params=params)
        assert answer.status_code == status, (params, answer.text)
        problem(answer, status)


async def test_tenants_and_stores_see_only_their_own_products(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    cat = await build(owner)
    other_store = await build(owner, handle="second")
    intruder = shop.client(shop.account("intruder", unique))
    problem(await intruder.get(cat.path("/search")), 404, "not-found")
    mine = set(cat.products.values())
    answer = await search(owner, other_store, q="sneakers")
    assert ids(answer) and not set(ids(answer)) & mine
    everything = await search(owner, other_store)
    assert everything["total"] == 4 and not set(ids(everything)) & mine
    # another store's category is no category here
    foreign = {"category": cat.categories["Shoes"]}
    problem(await owner.get(other_store.path("/search"), params=foreign), 422)
