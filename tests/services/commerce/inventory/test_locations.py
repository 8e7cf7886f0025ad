"""Stock locations through the running app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.stores.problems import problem


async def test_locations_are_listed_by_priority(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)  # "Main warehouse", priority 0
    path = seeded.path("/locations")
    spare = ok(await client.post(path, json={"name": "Overflow", "priority": 5}), 201)
    shop_floor = ok(await client.post(path, json={"name": "Shop floor", "priority": 1}), 201)
    assert spare["id"].startswith("loc_") and spare["priority"] == 5
    listed = ok(await client.get(path))
    assert [loc["id"] for loc in listed] == [seeded.location, shop_floor["id"], spare["id"]]
    assert listed[0]["name"] == "Main warehouse" and listed[0]["priority"] == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-name"),
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"name": "x" * 201}, id="long-name"),
        pytest.param({"name": "A", "priority": -1}, id="negative"),
        pytest.param({"name": "A", "priority": 1001}, id="too-high"),
        pytest.param({"name": "A", "priority": "first"}, id="not-a-number"),
        pytest.param({"name": "A", "address": "Main St"}, id="extra"),
    ],
)
async def test_bad_location_input_is_422(shop: Shop, unique: str, body: dict[str, Any]) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    problem(await client.post(seeded.path("/locations"), json=body), 422, "validation-error")
    assert len(ok(await client.get(seeded.path("/locations")))) == 1


async def test_locations_of_another_store_or_account_are_not_seen(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    first = await seed(owner, handle="first")
    second = await seed(owner, handle="second")
    theirs = await seed(other)
    assert [loc["id"] for loc in ok(await owner.get(second.path("/locations")))] == [
        second.location
    ]
    problem(await other.get(first.path("/locations")), 404, "not-found")
    problem(await other.post(first.path("/locations"), json={"name": "Mine"}), 404, "not-found")
    assert [loc["id"] for loc in ok(await other.get(theirs.path("/locations")))] == [
        theirs.location
    ]
    assert len(ok(await owner.get(first.path("/locations")))) == 1
