"""Bundles through the API: components and derived stock, bad input, a purchase taking
the components' stock (and a cancel giving it back), races for the last bundle, and
isolation between tenants and stores."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, cart_with, ok, seed

BUYERS = 10


def _kit(parts: dict[str, int]) -> dict[str, Any]:
    return {"components": [{"variant_id": v, "quantity": q} for v, q in parts.items()]}


async def _receive(client: httpx.AsyncClient, seeded: Seeded, variant: str, units: int) -> None:
    body = {"variant_id": variant, "location_id": seeded.location, "delta": units}
    ok(await client.post(seeded.path("/inventory/adjustments"), json=body))


async def _allocated(client: httpx.AsyncClient, seeded: Seeded, *variants: str) -> list[int]:
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": list(variants)}))
    by_variant = {row["variant_id"]: row["allocated"] for row in levels}
    return [by_variant.get(v, 0) for v in variants]


async def _free(client: httpx.AsyncClient, seeded: Seeded, *variants: str) -> None:
    for variant in variants:
        body = {"prices": {"USD": 0, "EUR": 0}}
        ok(await client.patch(seeded.path(f"/variants/{variant}"), json=body))


async def test_a_bundle_stock_is_derived_from_its_components(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("crud", unique))
    seeded = await seed(client, stock=[5, 7, 0], prices=[1000, 2000, 2500])
    a, b, kit = seeded.variants
    bundle_path = seeded.path(f"/variants/{kit}/bundle")
    made = ok(await client.put(bundle_path, json=_kit({a: 2, b: 3})))
    assert made["available"] == 2  # min(5 // 2, 7 // 3)
    assert [(c["variant_id"], c["quantity"], c["available"]) for c in made["components"]] == sorted(
        [(a, 2, 5), (b, 3, 7)]
    )
    await _receive(client, seeded, b, 2)
    assert ok(await client.get(bundle_path))["available"] == 2  # min(5 // 2, 9 // 3)
    listed = ok(await client.get(seeded.path("/bundles")))
    assert [x["variant_id"] for x in listed["items"]] == [kit] and listed["next_cursor"] is None
    replaced = ok(await client.put(bundle_path, json=_kit({b: 1})))
    assert replaced["available"] == 9 and len(replaced["components"]) == 1
    assert (await client.delete(bundle_path)).status_code == 204
    for answer in (await client.get(bundle_path), await client.delete(bundle_path)):
        assert answer.status_code == 404, answer.text
    assert ok(await client.get(seeded.path("/bundles")))["items"] == []


async def test_bad_bundles_are_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("bad", unique))
    seeded = await seed(client, stock=[1, 1, 0, 0], prices=[100, 100, 100, 100])
    other = await seed(client, stock=[0], handle="other")
    a, b, kit, kit2 = seeded.variants
    ok(await client.put(seeded.path(f"/variants/{kit}/bundle"), json=_kit({a: 1})))
    put = seeded.path(f"/variants/{kit2}/bundle")
    cases: list[tuple[str, str, Any, int]] = [
        ("itself", put, _kit({kit2: 1}), 422),
        ("nested", put, _kit({kit: 1}), 422),
        ("a component", seeded.path(f"/variants/{a}/bundle"), _kit({b: 1}), 422),
        ("foreign variant", put, _kit({other.variants[0]: 1}), 422),
        ("unknown variant", put, _kit({"var_nope": 1}), 422),
        ("zero quantity", put, _kit({b: 0}), 422),
        ("twice", put, {"components": [{"variant_id": b, "quantity": 1}] * 2}, 422),
        ("empty", put, {"components": []}, 422),
        ("own stock", seeded.path(f"/variants/{b}/bundle"), _kit({a: 1}), 409),
        ("no variant", seeded.path("/variants/var_nope/bundle"), _kit({a: 1}), 404),
    ]
    for name, path, body, status in cases:
        answer = await client.put(path, json=body)
        assert answer.status_code == status, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), name
    adjust = {"variant_id": kit, "location_id": seeded.location, "delta": 5}
    assert (
        await client.post(seeded.path("/inventory/adjustments"), json=adjust)
    ).status_code == 422
    assert (await client.get(seeded.path(f"/variants/{b}/bundle"))).status_code == 404
    assert (await client.get(seeded.path("/bundles"), params={"cursor": "x"})).status_code == 400
    # nothing of the refused calls stuck
    assert [x["variant_id"] for x in ok(await client.get(seeded.path("/bundles")))["items"]] == [
        kit
    ]


async def test_buying_a_bundle_allocates_its_components_and_cancel_returns_them(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("buy", unique))
    seeded = await seed(client, stock=[4, 6, 0], prices=[100, 100, 100])
    a, b, kit = seeded.variants
    await _free(client, seeded, a, kit)
    ok(await client.put(seeded.path(f"/variants/{kit}/bundle"), json=_kit({a: 1, b: 2})))
    cart = await cart_with(client, seeded, {kit: 2, a: 1})
    order = ok(await client.post(seeded.path(f"/carts/{cart['id']}/complete")), 201)
    assert [(line["variant_id"], line["quantity"]) for line in order["lines"]] == [(kit, 2), (a, 1)]
    assert await _allocated(client, seeded, a, b, kit) == [3, 4, 0]
    assert ok(await client.get(seeded.path(f"/variants/{kit}/bundle")))["available"] == 1
    async with commerce_db.connect() as conn:
        moves = (
            await conn.execute(
                text(
                    "SELECT variant_id, sum(allocated_delta) FROM commerce.stock_movements"
                    " WHERE reference = :o AND kind = 'allocate' GROUP BY variant_id"
                ),
                {"o": order["id"]},
            )
        ).all()
    assert sorted(moves) == sorted([(a, 3), (b, 4)])
    ok(await client.post(seeded.path(f"/orders/{order['id']}/cancel")))
    assert await _allocated(client, seeded, a, b) == [0, 0]
    assert ok(await client.get(seeded.path(f"/variants/{kit}/bundle")))["available"] == 3


async def test_buyers_race_for_the_last_bundle(shop: Shop, unique: str) -> None:
    """Stock for one bundle of each kit: at checkout (reservations) one buyer of the paid
    kit gets it; at completion (allocation) one buyer of the free kit gets it."""
    client = shop.client(shop.account("race", unique))
    seeded = await seed(client, stock=[1, 2, 3, 1, 0, 0], prices=[100] * 6)
    a, b, c, d, paid, free = seeded.variants
    await _free(client, seeded, free)
    ok(await client.put(seeded.path(f"/variants/{paid}/bundle"), json=_kit({a: 1, b: 2})))
    ok(await client.put(seeded.path(f"/variants/{free}/bundle"), json=_kit({c: 3, d: 1})))
    paid_carts = [await cart_with(client, seeded, {paid: 1}) for _ in range(BUYERS)]
    free_carts = [await cart_with(client, seeded, {free: 1}) for _ in range(BUYERS)]
    answers = await asyncio.gather(
        *(client.post(seeded.path(f"/carts/{x['id']}/checkout")) for x in paid_carts),
        *(client.post(seeded.path(f"/carts/{x['id']}/complete")) for x in free_carts),
    )
    at_checkout, at_completion = answers[:BUYERS], answers[BUYERS:]
    assert sorted(x.status_code for x in at_checkout) == [200] + [409] * (BUYERS - 1)
    assert sorted(x.status_code for x in at_completion) == [201] + [409] * (BUYERS - 1)
    refused = next(x for x in at_checkout if x.status_code == 409).json()["problems"]
    assert {p["code"] for p in refused} == {"out-of-stock"}
    assert all(p["bundle_variant_ids"] == [paid] for p in refused)
    for kit in (paid, free):
        assert ok(await client.get(seeded.path(f"/variants/{kit}/bundle")))["available"] == 0
    assert await _allocated(client, seeded, a, b, c, d) == [0, 0, 3, 1]


async def test_bundles_of_another_tenant_or_store_are_not_found(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    seeded = await seed(owner, stock=[2, 0], prices=[100, 100])
    a, kit = seeded.variants
    second = await seed(owner, stock=[0], handle="second")
    ok(await owner.put(seeded.path(f"/variants/{kit}/bundle"), json=_kit({a: 1})))
    stranger = shop.client(shop.account("stranger", unique))
    path = seeded.path(f"/variants/{kit}/bundle")
    for answer in (
        await stranger.get(path),
        await stranger.put(path, json=_kit({a: 2})),
        await stranger.delete(path),
        await stranger.get(seeded.path("/bundles")),
        await owner.get(second.path(f"/variants/{kit}/bundle")),
        await owner.put(second.path(f"/variants/{kit}/bundle"), json=_kit({a: 1})),
    ):
        assert answer.status_code == 404, answer.text
    assert ok(await owner.get(second.path("/bundles")))["items"] == []
    assert ok(await owner.get(path))["components"][0]["quantity"] == 1


async def _on_hand(client: httpx.AsyncClient, seeded: Seeded, *variants: str) -> list[int]:
    levels = ok(await client.get(seeded.path("/inventory"), params={"variant_id": list(variants)}))
    by_variant = {row["variant_id"]: row["on_hand"] for row in levels}
    return [by_variant.get(v, 0) for v in variants]


async def test_a_shipped_bundle_takes_its_components_and_comes_back_as_them(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("ship", unique))
    seeded = await seed(client, stock=[4, 6, 0], prices=[100, 100, 100])
    a, b, kit = seeded.variants
    await _free(client, seeded, a, b, kit)
    ok(await client.put(seeded.path(f"/variants/{kit}/bundle"), json=_kit({a: 1, b: 2})))
    cart = await cart_with(client, seeded, {kit: 2})
    order = ok(await client.post(seeded.path(f"/carts/{cart['id']}/complete")), 201)
    [line] = order["lines"]
    shipment = {"lines": [{"line_id": line["id"], "quantity": 1}]}
    ok(await client.post(seeded.path(f"/orders/{order['id']}/fulfillments"), json=shipment), 201)
    assert await _on_hand(client, seeded, a, b) == [3, 4]  # one kit left: 1 a + 2 b
    assert await _allocated(client, seeded, a, b) == [1, 2]  # the other kit still held
    ok(await client.post(seeded.path(f"/orders/{order['id']}/fulfillments"), json=shipment), 201)
    assert await _on_hand(client, seeded, a, b) == [2, 2]
    assert await _allocated(client, seeded, a, b, kit) == [0, 0, 0]
    body = {"lines": [{"order_line_id": line["id"], "quantity": 1}]}
    made = ok(await client.post(seeded.path(f"/orders/{order['id']}/returns"), json=body), 201)
    for action in ("approve", "receive"):
        ok(await client.post(seeded.path(f"/returns/{made['id']}/{action}")))
    assert await _on_hand(client, seeded, a, b, kit) == [3, 4, 0]  # back as its components
