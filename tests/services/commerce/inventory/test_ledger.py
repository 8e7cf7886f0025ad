"""The stock ledger: every receive and adjustment with its delta, newest first, append-only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.stores.problems import problem


async def post_adjustment(client: httpx.AsyncClient, seeded: Seeded, **body: Any) -> None:
    body = {"variant_id": seeded.variants[0], "location_id": seeded.location, **body}
    ok(await client.post(seeded.path("/inventory/adjustments"), json=body))


async def ledger(client: httpx.AsyncClient, seeded: Seeded, **params: Any) -> list[Any]:
    entries: list[Any] = ok(await client.get(seeded.path("/inventory/movements"), params=params))
    return entries


async def test_receipts_and_counts_are_recorded_with_their_deltas(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[10])
    await post_adjustment(client, seeded, delta=4, reason="PO-7")
    await post_adjustment(client, seeded, delta=-2, reason="damaged")
    await post_adjustment(client, seeded, on_hand=9, reason="stocktake")
    await post_adjustment(client, seeded, on_hand=9)  # no change, no entry
    await post_adjustment(client, seeded, delta=0)  # likewise
    entries = await ledger(client, seeded)
    assert [(e["kind"], e["on_hand_delta"], e["allocated_delta"], e["note"]) for e in entries] == [
        ("adjust", -3, 0, "stocktake"),
        ("adjust", -2, 0, "damaged"),
        ("receive", 4, 0, "PO-7"),
        ("receive", 10, 0, None),
    ]
    assert all(e["variant_id"] == seeded.variants[0] for e in entries)
    assert all(e["location_id"] == seeded.location for e in entries)
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    # The sum of the ledger is what is on hand.
    level = ok(
        await client.get(seeded.path("/inventory"), params={"variant_id": entries[0]["variant_id"]})
    )
    assert sum(e["on_hand_delta"] for e in entries) == level[0]["on_hand"] == 9


async def test_a_count_above_on_hand_is_an_upward_adjustment(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[2])
    await post_adjustment(client, seeded, on_hand=5)
    [latest, *_] = await ledger(client, seeded)
    assert (latest["kind"], latest["on_hand_delta"]) == ("adjust", 3)


async def test_the_ledger_is_filtered_by_variant_and_paged_by_id(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[1, 2, 3], prices=[100, 200, 300])
    everything = await ledger(client, seeded)
    assert [e["on_hand_delta"] for e in everything] == [3, 2, 1]
    only = await ledger(client, seeded, variant_id=seeded.variants[1])
    assert [e["variant_id"] for e in only] == [seeded.variants[1]]
    first = await ledger(client, seeded, limit=2)
    rest = await ledger(client, seeded, limit=2, before=first[-1]["id"])
    assert [e["id"] for e in first + rest] == [e["id"] for e in everything]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": 0}, id="limit-0"),
        pytest.param({"limit": 501}, id="limit-501"),
        pytest.param({"before": 0}, id="before-0"),
        pytest.param({"before": "latest"}, id="before-text"),
        pytest.param({"before": 2**63}, id="before-huge"),
        pytest.param({"variant_id": "v" * 41}, id="long-variant"),
    ],
)
async def test_bad_ledger_queries_are_422(shop: Shop, unique: str, params: dict[str, Any]) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[1])
    problem(
        await client.get(seeded.path("/inventory/movements"), params=params),
        422,
        "validation-error",
    )


async def test_the_ledger_refuses_an_update(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, stock=[10])
    with pytest.raises(DBAPIError, match="append-only"):
        async with commerce_db.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE commerce.stock_movements SET on_hand_delta = 1000"
                    " WHERE store_id = :store"
                ),
                {"store": seeded.store},
            )
    [entry] = await ledger(client, seeded)
    assert entry["on_hand_delta"] == 10


async def test_the_ledger_of_one_store_or_account_is_not_seen_from_another(
    shop: Shop, unique: str
) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    first = await seed(owner, handle="first", stock=[10])
    second = await seed(owner, handle="second", stock=[3])
    theirs = await seed(other, stock=[1])
    assert [e["variant_id"] for e in await ledger(owner, second)] == [second.variants[0]]
    assert await ledger(owner, second, variant_id=first.variants[0]) == []
    problem(await other.get(first.path("/inventory/movements")), 404, "not-found")
    assert await ledger(other, theirs, variant_id=first.variants[0]) == []
    assert [e["variant_id"] for e in await ledger(other, theirs)] == [theirs.variants[0]]
