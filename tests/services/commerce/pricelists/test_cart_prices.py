"""What a cart line costs: the lowest of the base price, a live sale and the tier of the
buyer's price lists for the line's quantity, through carts and checkout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok
from tests.services.commerce.pricelists.helpers import (
    group_with_customer,
    price_list,
    priced_store,
)
from tests.services.commerce.stores.problems import problem


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _unit_prices(
    client: httpx.AsyncClient, seeded: Seeded, quantities: dict[str, int], **cart: Any
) -> list[int]:
    lines = [{"variant_id": v, "quantity": q} for v, q in quantities.items()]
    body = ok(await client.post(seeded.path("/carts"), json={"lines": lines, **cart}), 201)
    assert all(line["previous_unit_price"] is None for line in body["lines"])
    return [line["unit_price"] for line in body["lines"]]


async def test_a_group_customer_pays_the_tier_of_the_line_quantity(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("owner", unique)
    client = shop.client(account)
    seeded = await priced_store(client)
    group = await group_with_customer(commerce_db, account, seeded.store)
    one, two = seeded.variants
    tiers = [
        {"variant_id": one, "amount": 2400},
        {"variant_id": one, "min_quantity": 5, "amount": 2000},
        {"variant_id": two, "min_quantity": 3, "amount": 2900},  # above its 2600 base price
    ]
    await price_list(client, seeded, tiers, customer_group_id=group.id)
    # Lists that do not apply now: paused, not yet started, already ended.
    for extra in (
        {"active": False},
        {"starts_at": _at(timedelta(days=1))},
        {"ends_at": _at(timedelta(seconds=-1)), "starts_at": _at(timedelta(days=-1))},
    ):
        cheap = [{"variant_id": one, "amount": 10}, {"variant_id": two, "amount": 10}]
        await price_list(client, seeded, cheap, customer_group_id=group.id, **extra)
    quantities = {one: 5, two: 3}
    assert await _unit_prices(client, seeded, quantities) == [2500, 2600]  # a guest
    member = {"customer_id": group.customer}
    assert await _unit_prices(client, seeded, quantities, **member) == [2000, 2600]
    assert await _unit_prices(client, seeded, {one: 4}, **member) == [2400]
    assert await _unit_prices(client, seeded, {one: 5}, currency="EUR", **member) == [2400]

    # A guest cart that signs in, then reaches a tier: quoted at once, never "changed".
    cart = ok(
        await client.post(
            seeded.path("/carts"), json={"lines": [{"variant_id": one, "quantity": 1}]}
        ),
        201,
    )
    path = seeded.path(f"/carts/{cart['id']}")
    signed_in = ok(await client.patch(path, json=member))
    assert [(x["unit_price"], x["previous_unit_price"]) for x in signed_in["lines"]] == [
        (2400, None)
    ]
    line = signed_in["lines"][0]["id"]
    more = ok(await client.patch(f"{path}/lines/{line}", json={"quantity": 6}))
    assert (more["lines"][0]["unit_price"], more["lines"][0]["previous_unit_price"]) == (2000, None)
    assert more["totals"]["subtotal"] == 12000


async def test_a_live_sale_and_a_list_for_everyone_apply_to_guests(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client)
    one, two = seeded.variants
    await price_list(client, seeded, [{"variant_id": one, "min_quantity": 2, "amount": 2300}])
    sale = {"currency": "USD", "sale_amount": 2200, "ends_at": _at(timedelta(days=1))}
    ok(await client.put(seeded.path(f"/variants/{two}/sale"), json=sale))
    later = {"currency": "USD", "sale_amount": 100, "starts_at": _at(timedelta(days=1))}
    ok(await client.put(seeded.path(f"/variants/{one}/sale"), json=later))
    assert await _unit_prices(client, seeded, {one: 1, two: 1}) == [2500, 2200]
    assert await _unit_prices(client, seeded, {one: 2}) == [2300]


async def test_an_order_charges_the_price_list_price(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    account = shop.account("owner", unique)
    client = shop.client(account)
    seeded = await priced_store(client)
    group = await group_with_customer(commerce_db, account, seeded.store)
    one = seeded.variants[0]
    tiers = [{"variant_id": one, "min_quantity": 2, "amount": 1800}]
    await price_list(client, seeded, tiers, customer_group_id=group.id)
    lines = [{"variant_id": one, "quantity": 2}]
    cart = ok(
        await client.post(
            seeded.path("/carts"), json={"lines": lines, "customer_id": group.customer}
        ),
        201,
    )
    intent = ok(await client.post(seeded.path(f"/carts/{cart['id']}/checkout")))["payment"]
    assert intent["amount"] == cart["totals"]["amount_due"]
    await shop.authorize(intent["intent_id"])
    placed = await client.post(seeded.path(f"/carts/{cart['id']}/complete"))
    assert placed.status_code in (200, 201), placed.text
    order = placed.json()
    assert [(x["unit_price"], x["subtotal"]) for x in order["lines"]] == [(1800, 3600)]
    assert order["subtotal"] == 3600


async def test_sale_prices_are_set_listed_and_ended(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client)
    sale = seeded.path(f"/variants/{seeded.variants[0]}/sale")
    now = ok(await client.put(sale, json={"currency": "USD", "sale_amount": 1999}))
    assert (now["amount"], now["sale_amount"], now["on_sale_now"]) == (2500, 1999, True)
    window = {"starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-02-01T00:00:00Z"}
    later = ok(await client.put(sale, json={"currency": "EUR", "sale_amount": 2000, **window}))
    assert later["on_sale_now"] is False and later["starts_at"].startswith("2030-01-01")
    listed = ok(await client.get(sale))
    assert [(s["currency"], s["on_sale_now"]) for s in listed] == [("EUR", False), ("USD", True)]
    assert (await client.delete(sale, params={"currency": "EUR"})).status_code == 204
    assert [s["currency"] for s in ok(await client.get(sale))] == ["USD"]
    assert (await client.delete(sale)).status_code == 204
    assert ok(await client.get(sale)) == []
    problem(await client.delete(sale), 404, "not-found")


async def test_bad_sale_prices_are_refused(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await priced_store(client, handle="euro")
    bare = ok(
        await client.post(
            seeded.path("/products"),
            json={"title": "Bare", "variants": [{"sku": "BARE", "prices": {"USD": 100}}]},
        ),
        201,
    )["variants"][0]["id"]
    cases: list[tuple[str, dict[str, Any], str]] = [
        (bare, {"currency": "EUR", "sale_amount": 50}, "has no EUR price"),
        (bare, {"currency": "GBP", "sale_amount": 50}, "GBP is not a currency"),
        (bare, {"currency": "USD", "sale_amount": -5}, "sale_amount"),
        (
            bare,
            {"currency": "USD", "sale_amount": 5, **{"starts_at": _at(timedelta(0))}}
            | {"ends_at": _at(timedelta(days=-1))},
            "ends_at must be after starts_at",
        ),
    ]
    for variant, body, words in cases:
        refused = problem(
            await client.put(seeded.path(f"/variants/{variant}/sale"), json=body), 422
        )
        assert words in str(refused)
    assert ok(await client.get(seeded.path(f"/variants/{bare}/sale"))) == []


async def test_another_tenant_cannot_see_or_set_a_sale(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    seeded = await priced_store(owner)
    variant = seeded.variants[0]
    ok(
        await owner.put(
            seeded.path(f"/variants/{variant}/sale"), json={"currency": "USD", "sale_amount": 1}
        )
    )
    rival = shop.client(shop.account("rival", unique))
    theirs = await priced_store(rival)
    sale = theirs.path(f"/variants/{variant}/sale")
    problem(await rival.get(sale), 404)
    problem(await rival.put(sale, json={"currency": "USD", "sale_amount": 2}), 404)
    problem(await rival.delete(sale), 404)
    problem(await rival.get(seeded.path(f"/variants/{variant}/sale")), 404)
    assert ok(await owner.get(seeded.path(f"/variants/{variant}/sale")))[0]["sale_amount"] == 1
