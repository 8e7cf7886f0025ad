"""Reviews through the app: verified purchases only, one per buyer, moderation, the public
listing with its sorts and rating, the rating in the search document, bad input and
isolation between tenants and stores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.shopping.helpers import buy, customer, free_store


async def _search_rating(engine: AsyncEngine, product_id: str) -> tuple[Any, int]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT rating_avg, rating_count FROM commerce.product_search"
                    " WHERE product_id = :p"
                ),
                {"p": product_id},
            )
        ).one()
    return (None if row[0] is None else float(row[0])), row[1]


async def test_buyers_review_staff_approve_and_the_rating_counts(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("rev", unique)
    client = shop.client(account)
    seeded = await free_store(client)
    cus, signed_in = await customer(commerce_db, account, seeded.store, "ann@example.com", "Ann")
    await buy(client, seeded, seeded.variants, customer_id=cus, email="ann@example.com")
    guest_order = await buy(client, seeded, seeded.variants, email="Bob@Example.com")
    path = seeded.path(f"/products/{seeded.product}/reviews")

    mine = ok(
        await client.post(
            path, json={"rating": 5, "title": " Great ", "body": "Fits."}, headers=signed_in
        ),
        201,
    )
    assert mine["status"] == "pending" and mine["author_name"] == "Ann"
    assert mine["title"] == "Great" and mine["customer_id"] == cus and mine["id"].startswith("rev_")
    guest = ok(
        await client.post(
            path,
            json={
                "rating": 2,
                "author_name": "Bob",
                "order_id": guest_order["id"],
                "email": "bob@EXAMPLE.com",
            },
        ),
        201,
    )
    assert guest["order_id"] == guest_order["id"] and guest["customer_id"] is None
    public = ok(await client.get(path))
    assert public["items"] == [] and public["rating"]["count"] == 0
    assert public["rating"]["average"] is None
    queue = ok(await client.get(seeded.path("/reviews"), params={"status": "pending"}))
    assert {r["id"] for r in queue["items"]} == {mine["id"], guest["id"]}

    for review in (mine, guest):
        approved = ok(
            await client.patch(seeded.path(f"/reviews/{review['id']}"), json={"status": "approved"})
        )
        assert approved["status"] == "approved" and approved["moderated_at"]
    public = ok(await client.get(path, params={"sort": "highest", "limit": 1}))
    assert public["rating"] == {
        "average": 3.5,
        "count": 2,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }
    assert [r["rating"] for r in public["items"]] == [5] and "email" not in public["items"][0]
    following = ok(
        await client.get(path, params={"sort": "highest", "cursor": public["next_cursor"]})
    )
    assert [r["rating"] for r in following["items"]] == [2] and following["next_cursor"] is None
    lowest = ok(await client.get(path, params={"sort": "lowest"}))
    assert [r["rating"] for r in lowest["items"]] == [2, 5]
    assert ok(await client.get(path, params={"rating": 5}))["items"][0]["id"] == mine["id"]
    assert await _search_rating(commerce_db, seeded.product) == (3.5, 2)

    ok(
        await client.patch(
            seeded.path(f"/reviews/{guest['id']}"),
            json={"status": "rejected", "moderation_note": "off topic"},
        )
    )
    assert await _search_rating(commerce_db, seeded.product) == (5.0, 1)
    rejected = ok(await client.get(seeded.path("/reviews"), params={"status": "rejected"}))
    assert [r["moderation_note"] for r in rejected["items"]] == ["off topic"]
    deleted = await client.delete(seeded.path(f"/reviews/{mine['id']}"))
    assert deleted.status_code == 204
    assert (await client.get(seeded.path(f"/reviews/{mine['id']}"))).status_code == 404
    assert await _search_rating(commerce_db, seeded.product) == (None, 0)


async def test_only_buyers_review_and_only_once(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("once", unique)
    client = shop.client(account)
    seeded = await free_store(client)
    buyer, buyer_token = await customer(commerce_db, account, seeded.store, "cy@example.com")
    _, stranger = await customer(commerce_db, account, seeded.store, "dee@example.com")
    order = await buy(client, seeded, seeded.variants, customer_id=buyer, email="cy@example.com")
    path = seeded.path(f"/products/{seeded.product}/reviews")

    refused = await client.post(path, json={"rating": 4}, headers=stranger)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/purchase-not-verified")
    wrong_email = {"rating": 4, "order_id": order["id"], "email": "someone@example.com"}
    assert (await client.post(path, json=wrong_email)).status_code == 409
    assert (await client.post(path, json={"rating": 4})).status_code == 422
    ok(await client.post(path, json={"rating": 4}, headers=buyer_token), 201)
    again = await client.post(path, json={"rating": 1}, headers=buyer_token)
    assert again.status_code == 409 and again.json()["type"].endswith("/duplicate")
    # The order names the customer: reviewing it as a guest is the same buyer.
    as_guest = {"rating": 1, "order_id": order["id"], "email": "CY@example.com"}
    assert (await client.post(path, json=as_guest)).status_code == 409

    bad_bodies: list[dict[str, Any]] = [
        {"rating": 0},
        {"rating": 6},
        {"rating": 3, "body": "x" * 5001},
        {"rating": 3, "title": "t" * 201},
        {"rating": 3, "body": "nul \x00 byte"},
        {"rating": 3, "author_name": "   "},
        {"rating": 3, "email": "not-an-email", "order_id": order["id"]},
        {"rating": 3, "unknown": 1},
    ]
    for body in bad_bodies:
        answer = await client.post(path, json=body, headers=buyer_token)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    unknown = await client.post(seeded.path("/products/prod_nope/reviews"), json={"rating": 3})
    assert unknown.status_code == 404
    expired = await client.post(path, json={"rating": 3}, headers={"X-Customer-Token": "nope"})
    assert expired.status_code == 401
    review_id = ok(await client.get(seeded.path("/reviews")))["items"][0]["id"]
    pending = await client.patch(seeded.path(f"/reviews/{review_id}"), json={"status": "pending"})
    assert pending.status_code == 422
    for params in ({"sort": "best"}, {"rating": 9}, {"limit": 101}, {"cursor": "!!"}):
        assert (await client.get(path, params=params)).status_code in (400, 422), params
    ok(await client.patch(seeded.path(f"/reviews/{review_id}"), json={"status": "approved"}))
    newest = ok(await client.get(path, params={"limit": 1}))
    assert newest["next_cursor"] is None  # one review: no more pages
    assert (await client.get(seeded.path("/reviews"), params={"status": "gone"})).status_code == 422


async def test_reviews_stay_in_their_tenant_and_store(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("home", unique)
    client = shop.client(account)
    seeded = await free_store(client)
    other_store = await free_store(client, handle="second")
    cus, token = await customer(commerce_db, account, seeded.store, "eve@example.com")
    order = await buy(client, seeded, seeded.variants, customer_id=cus, email="eve@example.com")
    path = f"/products/{seeded.product}/reviews"
    review = ok(await client.post(seeded.path(path), json={"rating": 3}, headers=token), 201)

    stranger = shop.client(shop.account("away", unique))
    for method, url in (
        ("GET", seeded.path(f"/reviews/{review['id']}")),
        ("PATCH", seeded.path(f"/reviews/{review['id']}")),
        ("DELETE", seeded.path(f"/reviews/{review['id']}")),
        ("GET", seeded.path("/reviews")),
        ("GET", seeded.path(path)),
        ("POST", seeded.path(path)),
    ):
        body = {"status": "approved"} if method == "PATCH" else {"rating": 3}
        answer = await stranger.request(method, url, json=body if method != "GET" else None)
        assert answer.status_code == 404, (method, url, answer.text)

    # The same account's other store sees neither the review nor the product.
    assert ok(await client.get(other_store.path("/reviews")))["items"] == []
    assert (await client.get(other_store.path(f"/reviews/{review['id']}"))).status_code == 404
    assert (await client.get(other_store.path(path))).status_code == 404
    as_guest = {"rating": 3, "order_id": order["id"], "email": "eve@example.com"}
    assert (await client.post(other_store.path(path), json=as_guest)).status_code == 404
    elsewhere = other_store.path(f"/products/{other_store.product}/reviews")
    assert (await client.post(elsewhere, json=as_guest)).status_code == 409
    # A customer of one store is no one at another.
    assert (await client.post(elsewhere, json={"rating": 3}, headers=token)).status_code == 401
    assert ok(await client.get(seeded.path(f"/reviews/{review['id']}")))["status"] == "pending"
