"""Wishlists through the app: per shopper (guest or signed-in customer), current prices,
products gone off sale, the cap, bad input and isolation."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_commerce.shopping import service

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.shopping.helpers import GUEST, customer, free_product


async def test_a_wishlist_lists_current_prices_and_keeps_products_gone_off_sale(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("wish", unique)
    client = shop.client(account)
    seeded = await seed(client, prices=[2500, 2700], stock=[0, 3])
    second = await free_product(client, seeded, "Trail sock")
    _, signed_in = await customer(commerce_db, account, seeded.store, "fay@example.com")

    first = ok(await client.put(seeded.path(f"/wishlist/{seeded.product}"), headers=GUEST))
    assert first["product"]["prices"] == {
        "USD": {"min": 2500, "max": 2700},
        "EUR": {"min": 2400, "max": 2600},
    }
    assert first["product"]["in_stock"] is True
    ok(await client.put(seeded.path(f"/wishlist/{second['id']}"), headers=GUEST))
    again = ok(await client.put(seeded.path(f"/wishlist/{seeded.product}"), headers=GUEST))
    assert again["added_at"] == first["added_at"]
    page = ok(await client.get(seeded.path("/wishlist"), params={"limit": 1}, headers=GUEST))
    assert [i["product_id"] for i in page["items"]] == [second["id"]]
    rest = ok(
        await client.get(
            seeded.path("/wishlist"), params={"cursor": page["next_cursor"]}, headers=GUEST
        )
    )
    assert [i["product_id"] for i in rest["items"]] == [seeded.product] and not rest["next_cursor"]
    # A signed-in customer has a list of their own.
    assert ok(await client.get(seeded.path("/wishlist"), headers=signed_in))["items"] == []

    ok(await client.patch(seeded.path(f"/products/{second['id']}"), json={"status": "archived"}))
    items = ok(await client.get(seeded.path("/wishlist"), headers=GUEST))["items"]
    assert [(i["product_id"], i["product"] is None) for i in items] == [
        (second["id"], True),
        (seeded.product, False),
    ]
    removed = await client.delete(seeded.path(f"/wishlist/{second['id']}"), headers=GUEST)
    assert removed.status_code == 204
    gone = await client.delete(seeded.path(f"/wishlist/{second['id']}"), headers=GUEST)
    assert gone.status_code == 404


async def test_wishlist_bad_input(shop: Shop, unique: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = shop.client(shop.account("wishbad", unique))
    seeded = await seed(client)
    draft = await free_product(client, seeded, "Draft boot", status="draft")
    other = await free_product(client, seeded, "Other boot")
    item = seeded.path(f"/wishlist/{seeded.product}")

    assert (await client.get(seeded.path("/wishlist"))).status_code == 401
    for token in ("short", "has spaces in it but long", "x" * 129):
        answer = await client.put(item, headers={"X-Guest-Token": token})
        assert answer.status_code == 422, token
    bad_customer = await client.put(item, headers={"X-Customer-Token": "expired"})
    assert bad_customer.status_code == 401
    for product in ("prod_nope", draft["id"], "p" * 41):
        answer = await client.put(seeded.path(f"/wishlist/{product}"), headers=GUEST)
        assert answer.status_code in (404, 422), product
    listed = await client.get(seeded.path("/wishlist"), params={"cursor": "!"}, headers=GUEST)
    assert listed.status_code == 400

    monkeypatch.setattr(service, "WISHLIST_MAX", 1)
    ok(await client.put(item, headers=GUEST))
    ok(await client.put(item, headers=GUEST))  # already there: no room needed
    full = await client.put(seeded.path(f"/wishlist/{other['id']}"), headers=GUEST)
    assert full.status_code == 409 and full.json()["limit"] == 1


async def test_wishlists_stay_in_their_tenant_and_store(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("wishhome", unique))
    seeded = await seed(client)
    second_store = await seed(client, handle="second")
    ok(await client.put(seeded.path(f"/wishlist/{seeded.product}"), headers=GUEST))

    stranger = shop.client(shop.account("wishaway", unique))
    for method in ("GET", "PUT", "DELETE"):
        url = seeded.path("/wishlist" if method == "GET" else f"/wishlist/{seeded.product}")
        answer = await stranger.request(method, url, headers=GUEST)
        assert answer.status_code == 404, method
    # The same guest token at another store of the account: another list.
    assert ok(await client.get(second_store.path("/wishlist"), headers=GUEST))["items"] == []
    moved = await client.put(second_store.path(f"/wishlist/{seeded.product}"), headers=GUEST)
    assert moved.status_code == 404
    assert len(ok(await client.get(seeded.path("/wishlist"), headers=GUEST))["items"]) == 1
