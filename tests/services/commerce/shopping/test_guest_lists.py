"""A guest's wishlist and recently viewed products claimed by the customer who signs in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.shopping.helpers import GUEST, customer, free_product, free_store


async def test_signing_in_moves_the_guests_lists_to_the_customer(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("claim", unique)
    client = shop.client(account)
    seeded = await free_store(client)
    other = (await free_product(client, seeded, "Gaiter"))["id"]
    _, signed_in = await customer(commerce_db, account, seeded.store, "gil@example.com")
    ok(await client.put(seeded.path(f"/wishlist/{other}"), headers=signed_in))
    for product in (seeded.product, other):
        ok(await client.put(seeded.path(f"/wishlist/{product}"), headers=GUEST))
    viewed = {"product_id": other}
    await client.post(seeded.path("/recently-viewed"), json=viewed, headers=GUEST)

    both = {**GUEST, **signed_in}
    claimed = ok(await client.post(seeded.path("/guest-lists/claim"), headers=both))
    assert claimed == {"wishlist": 2, "recently_viewed": 1}
    mine = ok(await client.get(seeded.path("/wishlist"), headers=signed_in))["items"]
    # The later addition wins for a product on both lists.
    assert [i["product_id"] for i in mine] == [other, seeded.product]
    recent = ok(await client.get(seeded.path("/recently-viewed"), headers=signed_in))
    assert [i["product"]["id"] for i in recent["items"]] == [other]
    assert ok(await client.get(seeded.path("/wishlist"), headers=GUEST))["items"] == []
    again = ok(await client.post(seeded.path("/guest-lists/claim"), headers=both))
    assert again == {"wishlist": 0, "recently_viewed": 0}


async def test_claiming_needs_both_tokens_of_this_store(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("claimbad", unique)
    client = shop.client(account)
    seeded = await free_store(client)
    second_store = await free_store(client, handle="second")
    _, signed_in = await customer(commerce_db, account, seeded.store, "hal@example.com")
    path = "/guest-lists/claim"
    for headers in (GUEST, signed_in, {}):
        assert (await client.post(seeded.path(path), headers=headers)).status_code == 401
    short = {**signed_in, "X-Guest-Token": "short"}
    assert (await client.post(seeded.path(path), headers=short)).status_code == 422
    both = {**GUEST, **signed_in}
    assert (await client.post(second_store.path(path), headers=both)).status_code == 401
    stranger = shop.client(shop.account("claimaway", unique))
    assert (await stranger.post(seeded.path(path), headers=both)).status_code == 404
