"""Recently viewed products through the app: the latest distinct products first, the cap,
products gone off sale left out, bad input and isolation."""

from __future__ import annotations

import pytest
from velox_commerce.shopping import service

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.shopping.helpers import GUEST, free_product, free_store

OTHER_GUEST = {"X-Guest-Token": "guest-fedcba9876543210"}


def _ids(answer: dict[str, list[dict[str, dict[str, str]]]]) -> list[str]:
    return [item["product"]["id"] for item in answer["items"]]


async def test_recent_views_list_the_latest_distinct_products(
    shop: Shop, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = shop.client(shop.account("seen", unique))
    seeded = await free_store(client)
    b = (await free_product(client, seeded, "Rain jacket"))["id"]
    c = (await free_product(client, seeded, "Head torch"))["id"]
    a = seeded.product
    for product in (a, b, c, a):
        viewed = await client.post(
            seeded.path("/recently-viewed"), json={"product_id": product}, headers=GUEST
        )
        assert viewed.status_code == 204
    path = seeded.path("/recently-viewed")
    assert _ids(ok(await client.get(path, headers=GUEST))) == [a, c, b]
    assert _ids(ok(await client.get(path, params={"limit": 2}, headers=GUEST))) == [a, c]
    assert _ids(ok(await client.get(path, params={"exclude": a}, headers=GUEST))) == [c, b]
    assert ok(await client.get(path, headers=OTHER_GUEST))["items"] == []

    ok(await client.patch(seeded.path(f"/products/{c}"), json={"status": "draft"}))
    assert _ids(ok(await client.get(path, headers=GUEST))) == [a, b]
    monkeypatch.setattr(service, "RECENT_KEPT", 2)
    ok(await client.patch(seeded.path(f"/products/{c}"), json={"status": "active"}))
    await client.post(path, json={"product_id": b}, headers=GUEST)
    # Kept: b and a; c (viewed before both) was forgotten.
    assert _ids(ok(await client.get(path, headers=GUEST))) == [b, a]
    assert (await client.delete(path, headers=GUEST)).status_code == 204
    assert ok(await client.get(path, headers=GUEST))["items"] == []


async def test_recent_views_bad_input(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("seenbad", unique))
    seeded = await free_store(client)
    draft = await free_product(client, seeded, "Draft hat", status="draft")
    path = seeded.path("/recently-viewed")
    for body in ({"product_id": "prod_nope"}, {"product_id": draft["id"]}):
        assert (await client.post(path, json=body, headers=GUEST)).status_code == 404
    for body in ({}, {"product_id": ""}, {"product_id": "p" * 41}, {"product_id": 1, "x": 1}):
        assert (await client.post(path, json=body, headers=GUEST)).status_code == 422, body
    for params in ({"limit": 0}, {"limit": 51}, {"exclude": "e" * 41}):
        assert (await client.get(path, params=params, headers=GUEST)).status_code == 422, params
    assert (await client.post(path, json={"product_id": seeded.product})).status_code == 401


async def test_recent_views_stay_in_their_tenant_and_store(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("seenhome", unique))
    seeded = await free_store(client)
    second_store = await free_store(client, handle="second")
    path = "/recently-viewed"
    ok_view = {"product_id": seeded.product}
    assert (await client.post(seeded.path(path), json=ok_view, headers=GUEST)).status_code == 204

    stranger = shop.client(shop.account("seenaway", unique))
    for method in ("GET", "POST", "DELETE"):
        body = ok_view if method == "POST" else None
        answer = await stranger.request(method, seeded.path(path), json=body, headers=GUEST)
        assert answer.status_code == 404, method
    assert ok(await client.get(second_store.path(path), headers=GUEST))["items"] == []
    moved = await client.post(second_store.path(path), json=ok_view, headers=GUEST)
    assert moved.status_code == 404
    assert _ids(ok(await client.get(seeded.path(path), headers=GUEST))) == [seeded.product]
