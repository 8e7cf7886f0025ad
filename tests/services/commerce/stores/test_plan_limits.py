"""The plan's caps (signed into the identity by the gateway): stores and products per
account, concurrent creates included; another account's rows do not count."""

from __future__ import annotations

import asyncio

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok

STORES = "/v1/commerce/stores"


def product(n: int) -> dict[str, object]:
    return {"title": f"Mug {n}", "variants": [{"sku": f"MUG-{n}", "prices": {"USD": 1800}}]}


async def test_the_store_cap_refuses_the_next_store_even_when_racing(
    shop: Shop, unique: str
) -> None:
    capped = shop.client(shop.account("capped", unique), limits=(("commerce.stores", 2),))
    answers = await asyncio.gather(
        *(capped.post(STORES, json={"name": f"Shop {n}", "handle": f"s{n}"}) for n in range(5))
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 403, 403, 403]
    refused = next(a for a in answers if a.status_code == 403)
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["type"].endswith("/plan-limit-reached")
    assert (body["limit"], body["cap"], body["current"]) == ("commerce.stores", 2, 2)
    # Another account (or the same on an uncapped plan) is not held back by these stores.
    other = shop.client(shop.account("other", unique), limits=(("commerce.stores", 1),))
    ok(await other.post(STORES, json={"name": "Mine", "handle": "mine"}), 201)
    listed = ok(await capped.get(STORES))["items"]
    assert len(listed) == 2


async def test_the_product_cap_counts_every_store_of_the_account(shop: Shop, unique: str) -> None:
    limits = (("commerce.products", 2),)
    client = shop.client(shop.account("owner", unique), limits=limits)
    stores = [
        ok(await client.post(STORES, json={"name": f"S{n}", "handle": f"h{n}"}), 201)["id"]
        for n in range(2)
    ]
    ok(await client.post(f"{STORES}/{stores[0]}/products", json=product(1)), 201)
    ok(await client.post(f"{STORES}/{stores[1]}/products", json=product(2)), 201)
    refused = await client.post(f"{STORES}/{stores[1]}/products", json=product(3))
    assert refused.status_code == 403
    assert refused.json()["current"] == 2
    # Bad input is still a 422 first, whatever the cap.
    assert (await client.post(f"{STORES}/{stores[0]}/products", json={})).status_code == 422
