"""Price lists through the API: CRUD, tiers set all or nothing, validation, isolation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.pricelists.helpers import group_with_customer, priced_store
from tests.services.commerce.stores.problems import problem


async def test_a_price_list_is_created_listed_changed_and_deleted(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("owner", unique)
    client = shop.client(account)
    seeded = await priced_store(client)
    group = await group_with_customer(commerce_db, account, seeded.store)
    body = {
        "name": "Wholesale",
        "currency": "USD",
        "customer_group_id": group.id,
        "starts_at": "2030-01-01T00:00:00Z",
    }
    first = ok(await client.post(seeded.path("/price-lists"), json=body), 201)
    assert first["id"].startswith("pl_") and first["customer_group_id"] == group.id
    assert first["active"] is True and first["ends_at"] is None
    second = ok(
        await client.post(seeded.path("/price-lists"), json={"name": "Euro", "currency": "EUR"}),
        201,
    )
    page = ok(await client.get(seeded.path("/price-lists"), params={"limit": 1}))
    assert [p["id"] for p in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = ok(await client.get(seeded.path("/price-lists"), params={"cursor": page["next_cursor"]}))
    assert [p["id"] for p in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
    only = ok(await client.get(seeded.path("/price-lists"), params={"customer_group_id": group.id}))
    assert [p["id"] for p in only["items"]] == [first["id"]]
    path = seeded.path(f"/price-lists/{first['id']}")
    changed = ok(
        await client.patch(
            path, json={"name": "Partners", "customer_group_id": None, "active": False}
        )
    )
    assert (changed["name"], changed["customer_group_id"], changed["active"]) == (
        "Partners",
        None,
        False,
    )
    assert ok(await client.get(path)) == changed
    paused = ok(await client.get(seeded.path("/price-lists"), params={"active": "false"}))
    assert [p["id"] for p in paused["items"]] == [first["id"]]
    assert (await client.delete(path)).status_code == 204
    problem(await client.get(path), 404, "not-found")


async def test_tiers_are_set_listed_and_removed_by_variant_and_quantity(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client)
    created = ok(
        await client.post(seeded.path("/price-lists"), json={"name": "B2B", "currency": "USD"}),
        201,
    )
    prices = seeded.path(f"/price-lists/{created['id']}/prices")
    one, two = seeded.variants
    tiers = [
        {"variant_id": one, "min_quantity": 10, "amount": 2000},
        {"variant_id": one, "amount": 2400},
        {"variant_id": two, "min_quantity": 5, "amount": 2300},
    ]
    assert ok(await client.put(prices, json=tiers)) == {
        "price_list_id": created["id"],
        "upserted": 3,
        "removed": 0,
    }
    page = ok(await client.get(prices, params={"limit": 2}))
    rest = ok(await client.get(prices, params={"limit": 2, "cursor": page["next_cursor"]}))
    assert len(page["items"]) == 2 and rest["next_cursor"] is None
    listed = [
        (p["variant_id"], p["min_quantity"], p["amount"]) for p in page["items"] + rest["items"]
    ]
    assert listed == sorted([(one, 1, 2400), (one, 10, 2000), (two, 5, 2300)])
    changed = [
        {"variant_id": one, "min_quantity": 10, "amount": None},
        {"variant_id": one, "min_quantity": 20, "amount": 1900},
    ]
    assert ok(await client.put(prices, json=changed))["removed"] == 1
    mine = ok(await client.get(prices, params={"variant_id": one}))["items"]
    assert [(p["min_quantity"], p["amount"]) for p in mine] == [(1, 2400), (20, 1900)]


BAD_LISTS: list[tuple[dict[str, Any], str]] = [
    ({"name": "X", "currency": "GBP"}, "GBP is not a currency of this store"),
    ({"name": "X", "currency": "USD", "customer_group_id": "cgrp_nope"}, "no customer group"),
    (
        {
            "name": "X",
            "currency": "USD",
            "starts_at": "2030-01-02T00:00:00Z",
            "ends_at": "2030-01-01T00:00:00Z",
        },
        "ends_at must be after starts_at",
    ),
    ({"name": "X", "currency": "USD", "starts_at": "2030-01-01T00:00:00"}, "timezone"),
    ({"name": "", "currency": "USD"}, "name"),
    ({"name": "X" * 201, "currency": "USD"}, "name"),
    ({"name": "X", "currency": "USD", "markup": 3}, "markup"),
]


async def test_bad_price_lists_and_changes_are_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client)
    for body, words in BAD_LISTS:
        refused = problem(await client.post(seeded.path("/price-lists"), json=body), 422)
        assert words in str(refused), (body, refused)
    created = ok(
        await client.post(
            seeded.path("/price-lists"),
            json={"name": "B2B", "currency": "USD", "starts_at": "2030-01-02T00:00:00Z"},
        ),
        201,
    )
    path = seeded.path(f"/price-lists/{created['id']}")
    changes: list[tuple[dict[str, Any], str]] = [
        ({"ends_at": "2030-01-01T00:00:00Z"}, "ends_at must be after starts_at"),
        ({"name": None}, "name"),
        ({"currency": "EUR"}, "currency"),
    ]
    for body, words in changes:
        refused = problem(await client.patch(path, json=body), 422)
        assert words in str(refused), (body, refused)
    problem(await client.get(seeded.path("/price-lists"), params={"cursor": "nope"}), 400)
    assert ok(await client.get(path)) == created


async def test_bad_tiers_are_refused_whole(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client)
    other = await priced_store(client, handle="other")
    created = ok(
        await client.post(seeded.path("/price-lists"), json={"name": "B2B", "currency": "USD"}),
        201,
    )
    prices = seeded.path(f"/price-lists/{created['id']}/prices")
    one = seeded.variants[0]
    ok(await client.put(prices, json=[{"variant_id": one, "min_quantity": 10, "amount": 2000}]))
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([{"variant_id": one, "amount": 1900}], "a larger quantity never costs more"),
        (
            [
                {"variant_id": one, "min_quantity": 3, "amount": 2100},
                {"variant_id": one, "min_quantity": 3, "amount": 2200},
            ],
            "more than once",
        ),
        ([{"variant_id": other.variants[0], "amount": 100}], "no variant"),
        ([{"variant_id": one, "min_quantity": 0, "amount": 100}], "min_quantity"),
        ([{"variant_id": one, "amount": -1}], "amount"),
        ([], "at least 1"),
    ]
    for body, words in cases:
        refused = problem(await client.put(prices, json=body), 422)
        assert words in str(refused), (body, refused)
    # Nothing of the refused calls was kept.
    kept = ok(await client.get(prices))["items"]
    assert [(p["min_quantity"], p["amount"]) for p in kept] == [(10, 2000)]


async def test_another_tenant_or_store_sees_no_price_list(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("owner", unique)
    owner = shop.client(account)
    seeded = await priced_store(owner)
    sister = await priced_store(owner, handle="sister")
    group = await group_with_customer(commerce_db, account, sister.store)
    created = ok(
        await owner.post(seeded.path("/price-lists"), json={"name": "B2B", "currency": "USD"}),
        201,
    )
    # A group of the account's other store is not one of this store.
    refused = problem(
        await owner.patch(
            seeded.path(f"/price-lists/{created['id']}"), json={"customer_group_id": group.id}
        ),
        422,
    )
    assert "no customer group" in refused["detail"]
    rival = shop.client(shop.account("rival", unique))
    theirs = await priced_store(rival)
    for client, store in ((owner, sister.store), (rival, theirs.store), (rival, seeded.store)):
        base = f"/v1/commerce/stores/{store}/price-lists/{created['id']}"
        problem(await client.get(base), 404)
        problem(await client.patch(base, json={"name": "mine"}), 404)
        problem(await client.put(f"{base}/prices", json=[{"variant_id": "v", "amount": 1}]), 404)
        problem(await client.delete(base), 404)
    listed = ok(await rival.get(theirs.path("/price-lists")))
    assert listed["items"] == []
    assert ok(await owner.get(seeded.path(f"/price-lists/{created['id']}")))["name"] == "B2B"
