"""What a store's setup does to its carts: coupons, shipping, tax and gift cards made through
the admin API show in the cart's totals."""

from __future__ import annotations

from typing import Any

import httpx

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, cart_with, ok, seed
from tests.services.commerce.setup.helpers import CA_ADDRESS


async def seeded_shop(shop: Shop, unique: str) -> tuple[httpx.AsyncClient, Seeded]:
    """A store selling a 25.00 USD, 500 g shoe."""
    client = shop.client(shop.account("merchant", unique))
    return client, await seed(client, prices=[2500], weight_grams=500)


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = ok(await client.post(path, json=body), 201)
    return made


async def update_cart(
    client: httpx.AsyncClient, seeded: Seeded, cart: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    updated: dict[str, Any] = ok(
        await client.patch(seeded.path(f"/carts/{cart['id']}"), json=changes)
    )
    return updated


async def test_a_ten_percent_coupon_takes_ten_percent_off(shop: Shop, unique: str) -> None:
    client, seeded = await seeded_shop(shop, unique)
    coupon = await post(
        client,
        seeded.path("/promotions"),
        {"name": "Ten off", "code": "SAVE10", "kind": "percentage", "value": 1000},
    )
    cart = await cart_with(client, seeded, {seeded.variants[0]: 2})
    totals = (await update_cart(client, seeded, cart, coupon_codes=["SAVE10"]))["totals"]
    assert totals["subtotal"] == 5000 and totals["discount_total"] == 500
    assert totals["total"] == 4500 and totals["problems"] == []
    assert totals["promotions"] == [
        {"id": coupon["id"], "code": "SAVE10", "kind": "percentage", "amount": 500}
    ]


async def test_an_unknown_paused_or_deleted_coupon_is_a_problem_of_the_cart(
    shop: Shop, unique: str
) -> None:
    client, seeded = await seeded_shop(shop, unique)
    body = {"name": "Five off", "kind": "fixed", "value": 500}
    paused = await post(client, seeded.path("/promotions"), {**body, "code": "PAUSED"})
    ok(await client.patch(seeded.path(f"/promotions/{paused['id']}"), json={"active": False}))
    gone = await post(client, seeded.path("/promotions"), {**body, "code": "GONE"})
    assert (await client.delete(seeded.path(f"/promotions/{gone['id']}"))).status_code == 204
    cart = await cart_with(client, seeded, {seeded.variants[0]: 1})
    codes = ["NOPE", "paused", "gone"]
    totals = (await update_cart(client, seeded, cart, coupon_codes=codes))["totals"]
    assert totals["discount_total"] == 0 and totals["total"] == 2500
    assert [(p["code"], p["ref"]) for p in totals["problems"]] == [
        ("invalid-coupon", code) for code in codes
    ]


async def test_a_flat_method_chosen_for_an_address_in_its_zone_is_charged(
    shop: Shop, unique: str
) -> None:
    client, seeded = await seeded_shop(shop, unique)
    zone = await post(
        client, seeded.path("/shipping-zones"), {"name": "US", "countries": ["US", "PR"]}
    )
    flat = await post(
        client,
        seeded.path(f"/shipping-zones/{zone['id']}/methods"),
        {"name": "Standard", "kind": "flat", "amount": 599},
    )
    cart = await cart_with(client, seeded, {seeded.variants[0]: 1})
    updated = await update_cart(
        client, seeded, cart, shipping_address=CA_ADDRESS, shipping_method_id=flat["id"]
    )
    totals = updated["totals"]
    assert totals["shipping_total"] == 599 and totals["total"] == 2500 + 599
    ok(await client.patch(seeded.path(f"/shipping-methods/{flat['id']}"), json={"amount": 799}))
    again = ok(await client.get(seeded.path(f"/carts/{cart['id']}")))["totals"]
    assert again["shipping_total"] == 799


async def test_shipping_options_price_the_weight_method_for_the_cart(
    shop: Shop, unique: str
) -> None:
    client, seeded = await seeded_shop(shop, unique)
    zones = seeded.path("/shipping-zones")
    us = await post(client, zones, {"name": "US", "countries": ["US"]})
    europe = await post(client, zones, {"name": "EU", "countries": ["FR", "DE"]})
    methods = seeded.path(f"/shipping-zones/{us['id']}/methods")
    tiers = [[0, 500], [1000, 900], [5000, 1500]]
    parcel = await post(client, methods, {"name": "Parcel", "kind": "weight", "tiers": tiers})
    flat = await post(client, methods, {"name": "Express", "kind": "flat", "amount": 1999})
    euros = {"name": "In euros", "kind": "flat", "amount": 100, "currency": "EUR"}
    await post(client, methods, euros)
    await post(
        client,
        seeded.path(f"/shipping-zones/{europe['id']}/methods"),
        {"name": "Europe", "kind": "flat", "amount": 300},
    )
    # Two shoes of 500 g: 1000 g, the second tier.
    cart = await cart_with(client, seeded, {seeded.variants[0]: 2})
    await update_cart(client, seeded, cart, shipping_address=CA_ADDRESS)
    options = ok(await client.get(seeded.path(f"/carts/{cart['id']}/shipping-options")))
    assert sorted(options, key=lambda o: o["name"]) == [
        {"id": flat["id"], "name": "Express", "amount": 1999, "currency": "USD"},
        {"id": parcel["id"], "name": "Parcel", "amount": 900, "currency": "USD"},
    ]


async def test_a_california_rate_taxes_a_california_cart(shop: Shop, unique: str) -> None:
    client, seeded = await seeded_shop(shop, unique)
    rates = seeded.path("/tax-rates")
    await post(client, rates, {"name": "California", "country": "US", "region": "CA", "rate": 7.25})
    await post(client, rates, {"name": "New York", "country": "US", "region": "NY", "rate": "4"})
    cart = await cart_with(client, seeded, {seeded.variants[0]: 2})
    totals = (await update_cart(client, seeded, cart, shipping_address=CA_ADDRESS))["totals"]
    # 7.25 % of 50.00 is 3.625: rounded half up, prices exclude tax in this store.
    assert totals["tax_total"] == 363 and totals["taxes"] == {"California": 363}
    assert totals["total"] == 5363 and not totals["tax_inclusive"]
    # A buyer who types the state in lower case pays the same tax.
    lower = {**CA_ADDRESS, "region": "ca"}
    totals = (await update_cart(client, seeded, cart, shipping_address=lower))["totals"]
    assert totals["tax_total"] == 363


async def test_a_gift_card_pays_part_of_the_cart_until_disabled(shop: Shop, unique: str) -> None:
    client, seeded = await seeded_shop(shop, unique)
    card = await post(client, seeded.path("/gift-cards"), {"initial_balance": 1000})
    cart = await cart_with(client, seeded, {seeded.variants[0]: 1})
    # Typed in lower case, as buyers do.
    totals = (await update_cart(client, seeded, cart, gift_card_codes=[card["code"].lower()]))[
        "totals"
    ]
    assert totals["total"] == 2500 and totals["gift_card_total"] == 1000
    assert totals["amount_due"] == 1500
    assert totals["gift_cards"] == [{"code": card["code"], "amount": 1000}]
    ok(await client.post(seeded.path(f"/gift-cards/{card['id']}/disable")))
    totals = ok(await client.get(seeded.path(f"/carts/{cart['id']}")))["totals"]
    assert totals["amount_due"] == 2500 and totals["gift_card_total"] == 0
    assert [p["code"] for p in totals["problems"]] == ["gift-card-empty"]
