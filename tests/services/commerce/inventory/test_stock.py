"""Adjustments and stock levels through the running app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.stores.problems import problem


async def adjust(client: httpx.AsyncClient, seeded: Seeded, **body: Any) -> dict[str, Any]:
    body = {"variant_id": seeded.variants[0], "location_id": seeded.location, **body}
    level: dict[str, Any] = ok(await client.post(seeded.path("/inventory/adjustments"), json=body))
    return level


async def levels(client: httpx.AsyncClient, seeded: Seeded, *variants: str) -> list[Any]:
    found: list[Any] = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": list(variants)})
    )
    return found


async def test_receiving_writing_off_and_counting_change_on_hand(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[10])
    received = await adjust(client, seeded, delta=5, reason="PO-1")
    assert (received["on_hand"], received["allocated"]) == (15, 0)
    assert received["variant_id"] == seeded.variants[0]
    assert received["location_id"] == seeded.location
    assert (await adjust(client, seeded, delta=-3))["on_hand"] == 12
    assert (await adjust(client, seeded, on_hand=7))["on_hand"] == 7
    assert (await adjust(client, seeded, on_hand=0))["on_hand"] == 0
    [level] = await levels(client, seeded, seeded.variants[0])
    assert (level["on_hand"], level["allocated"]) == (0, 0)


async def test_a_threshold_is_set_beside_an_adjustment(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[10])
    level = await adjust(client, seeded, delta=0, low_stock_threshold=3)
    assert (level["on_hand"], level["low_stock_threshold"]) == (10, 3)
    assert (await adjust(client, seeded, delta=1))["low_stock_threshold"] == 3


async def test_stock_levels_list_each_location_of_each_variant(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[4, 0, 2], prices=[100, 200, 300])
    backroom = ok(await client.post(seeded.path("/locations"), json={"name": "Back"}), 201)
    await adjust(client, seeded, location_id=backroom["id"], delta=6)
    found = await levels(client, seeded, *seeded.variants)
    pairs = {(lv["variant_id"], lv["location_id"]): lv["on_hand"] for lv in found}
    assert pairs == {
        (seeded.variants[0], seeded.location): 4,
        (seeded.variants[0], backroom["id"]): 6,
        (seeded.variants[2], seeded.location): 2,
    }
    assert [lv["variant_id"] for lv in found] == sorted(lv["variant_id"] for lv in found)
    assert await levels(client, seeded, "var_missing") == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"delta": 1, "on_hand": 1}, id="both"),
        pytest.param({}, id="neither"),
        pytest.param({"on_hand": -1}, id="negative-count"),
        pytest.param({"delta": 1_000_001}, id="huge-delta"),
        pytest.param({"delta": 1, "low_stock_threshold": -1}, id="threshold"),
        pytest.param({"delta": 1, "reason": "x" * 501}, id="long-reason"),
        pytest.param({"delta": 1, "kind": "receive"}, id="extra"),
        pytest.param({"delta": 1, "variant_id": "var_missing"}, id="unknown-variant"),
        pytest.param({"delta": 1, "location_id": "loc_missing"}, id="unknown-location"),
        pytest.param({"delta": 1, "variant_id": "v" * 41}, id="long-variant"),
        pytest.param({"delta": "many"}, id="not-a-number"),
    ],
)
async def test_a_bad_adjustment_is_422_and_changes_nothing(
    shop: Shop, unique: str, body: dict[str, Any]
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[10])
    body = {"variant_id": seeded.variants[0], "location_id": seeded.location, **body}
    refused = await client.post(seeded.path("/inventory/adjustments"), json=body)
    problem(refused, 422, "validation-error")
    [level] = await levels(client, seeded, seeded.variants[0])
    assert level["on_hand"] == 10 and level["low_stock_threshold"] is None


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="no-variant"),
        pytest.param({"variant_id": [f"var_{n}" for n in range(101)]}, id="over-100"),
    ],
)
async def test_bad_stock_level_queries_are_422(
    shop: Shop, unique: str, params: dict[str, Any]
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[1])
    problem(await client.get(seeded.path("/inventory"), params=params), 422, "validation-error")


async def test_stock_of_one_store_is_not_adjusted_or_seen_from_another(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    first = await seed(client, handle="first", stock=[10])
    second = await seed(client, handle="second", stock=[3])
    path = second.path("/inventory/adjustments")
    for variant, location in (
        (first.variants[0], second.location),  # the variant is of the first store
        (second.variants[0], first.location),  # the location is of the first store
        (first.variants[0], first.location),  # both are
    ):
        body = {"variant_id": variant, "location_id": location, "delta": 5}
        problem(await client.post(path, json=body), 422, "validation-error")
    assert await levels(client, second, first.variants[0]) == []
    [level] = await levels(client, first, first.variants[0])
    assert level["on_hand"] == 10


async def test_another_account_cannot_touch_the_stock(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    mine = await seed(owner, stock=[10])
    theirs = await seed(other, stock=[1])
    body = {"variant_id": mine.variants[0], "location_id": mine.location, "delta": -10}
    problem(await other.post(mine.path("/inventory/adjustments"), json=body), 404, "not-found")
    problem(await other.post(theirs.path("/inventory/adjustments"), json=body), 422)
    params = {"variant_id": mine.variants[0]}
    problem(await other.get(mine.path("/inventory"), params=params), 404, "not-found")
    assert ok(await other.get(theirs.path("/inventory"), params=params)) == []
    [level] = await levels(owner, mine, mine.variants[0])
    assert level["on_hand"] == 10
