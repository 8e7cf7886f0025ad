"""PATCH of one variant: it alone changes; bad input, currencies, options and isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed
from tests.services.commerce.stores.problems import problem


async def test_a_patch_changes_one_variant_of_many_and_only_it(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, prices=[2500, 2600, 2700, 2800, 2900])
    product = seeded.path(f"/products/{seeded.product}")
    before = ok(await client.get(product))["variants"]
    target = seeded.variants[2]
    changed = ok(
        await client.patch(
            seeded.path(f"/variants/{target}"),
            json={
                "sku": "SHOE-42-WIDE",
                "barcode": "4006381333931",
                "title": "42 wide",
                "weight_grams": 650,
                "track_inventory": False,
                "inventory_policy": "preorder",
                "prices": {"USD": 3100},
            },
        )
    )
    assert changed["id"] == target and changed["sku"] == "SHOE-42-WIDE"
    assert (changed["barcode"], changed["title"], changed["weight_grams"]) == (
        "4006381333931",
        "42 wide",
        650,
    )
    assert changed["track_inventory"] is False and changed["inventory_policy"] == "preorder"
    # USD replaced; EUR, not given, keeps its price.
    assert changed["prices"] == {"EUR": 2600, "USD": 3100}
    after = ok(await client.get(product))["variants"]
    assert [v["id"] for v in after] == [v["id"] for v in before]
    assert after[2] == changed
    for old, new in zip(before, after, strict=True):
        if old["id"] != target:
            assert new == old


async def test_a_price_patch_keeps_the_compare_at_price(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    body = {
        "title": "Sale item",
        "variants": [
            {"sku": "SALE", "prices": {"USD": 800, "EUR": 700}, "compare_at_prices": {"USD": 1000}}
        ],
    }
    variant = ok(await client.post(seeded.path("/products"), json=body), 201)["variants"][0]
    changed = ok(
        await client.patch(seeded.path(f"/variants/{variant['id']}"), json={"prices": {"USD": 750}})
    )
    assert changed["prices"] == {"EUR": 700, "USD": 750}
    assert changed["compare_at_prices"] == {"USD": 1000}


async def test_barcode_may_be_cleared(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    path = seeded.path(f"/variants/{seeded.variants[0]}")
    assert ok(await client.patch(path, json={"barcode": "123"}))["barcode"] == "123"
    assert ok(await client.patch(path, json={"barcode": None}))["barcode"] is None


async def test_option_values_taken_by_a_sibling_are_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, prices=[2500, 2600])  # sizes 40 and 41
    path = seeded.path(f"/variants/{seeded.variants[0]}")
    problem(await client.patch(path, json={"option_values": {"Size": "41"}}), 409, "duplicate")
    same = ok(await client.patch(path, json={"option_values": {"Size": "40"}}))
    assert same["option_values"] == {"Size": "40"}


async def test_a_variant_moves_to_a_free_option_value_and_its_title_follows(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    body = {
        "title": "Cap",
        "options": [{"name": "Size", "values": ["S", "M", "L"]}],
        "variants": [
            {"sku": "CAP-S", "option_values": {"Size": "S"}},
            {"sku": "CAP-M", "option_values": {"Size": "M"}, "title": "Medium cap"},
        ],
    }
    small, medium = ok(await client.post(seeded.path("/products"), json=body), 201)["variants"]
    moved = ok(
        await client.patch(
            seeded.path(f"/variants/{small['id']}"), json={"option_values": {"Size": "L"}}
        )
    )
    assert (moved["option_values"], moved["title"]) == ({"Size": "L"}, "L")
    kept = ok(
        await client.patch(
            seeded.path(f"/variants/{medium['id']}"), json={"option_values": {"Size": "S"}}
        )
    )
    assert (kept["option_values"], kept["title"]) == ({"Size": "S"}, "Medium cap")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"sku": None}, id="null-sku"),
        pytest.param({"title": None}, id="null-title"),
        pytest.param({"weight_grams": None}, id="null-weight"),
        pytest.param({"track_inventory": None}, id="null-tracking"),
        pytest.param({"inventory_policy": None}, id="null-policy"),
        pytest.param({"option_values": None}, id="null-options"),
        pytest.param({"prices": None}, id="null-prices"),
        pytest.param({"sku": ""}, id="empty-sku"),
        pytest.param({"weight_grams": -1}, id="weight"),
        pytest.param({"inventory_policy": "never"}, id="policy"),
        pytest.param({"prices": {"USD": -5}}, id="negative-price"),
        pytest.param({"prices": {"GBP": 500}}, id="currency-not-offered"),
        pytest.param({"product_id": "prod_x"}, id="extra"),
        pytest.param({"option_values": {"Size": "99"}}, id="unknown-value"),
        pytest.param({"option_values": {"Colour": "red"}}, id="unknown-option"),
        pytest.param({"option_values": {}}, id="no-values"),
    ],
)
async def test_a_bad_variant_patch_is_422_and_changes_nothing(
    shop: Shop, unique: str, change: dict[str, Any]
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    product = seeded.path(f"/products/{seeded.product}")
    before = ok(await client.get(product))
    problem(await client.patch(seeded.path(f"/variants/{seeded.variants[0]}"), json=change), 422)
    assert ok(await client.get(product)) == before


async def test_a_sku_taken_by_a_sibling_is_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, prices=[2500, 2600])
    refused = await client.patch(
        seeded.path(f"/variants/{seeded.variants[0]}"), json={"sku": "SHOE-41"}
    )
    assert "SKU" in problem(refused, 409, "duplicate")["detail"]


async def test_an_unknown_variant_is_404(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    refused = await client.patch(seeded.path("/variants/var_missing"), json={"sku": "X"})
    assert problem(refused, 404, "not-found")["resource"] == "variant"


async def test_a_variant_of_another_store_is_404(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    first = await seed(client, handle="first")
    second = await seed(client, handle="second")
    path = second.path(f"/variants/{first.variants[0]}")
    problem(await client.patch(path, json={"sku": "MOVED"}), 404, "not-found")
    product = ok(await client.get(first.path(f"/products/{first.product}")))
    assert product["variants"][0]["sku"] == "SHOE-40"
