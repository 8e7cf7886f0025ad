"""Products through the running app: create (all or nothing), get, list, update; handles,
currencies, options; isolation between accounts and between stores."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import Seeded, ok, seed
from tests.services.commerce.stores.problems import problem


def shirt(**fields: Any) -> dict[str, Any]:
    """A product body: a shirt in two sizes priced in USD and EUR."""
    body: dict[str, Any] = {
        "title": "Linen shirt",
        "options": [{"name": "Size", "values": ["S", "M"]}],
        "variants": [
            {"sku": "SHIRT-S", "option_values": {"Size": "S"}, "prices": {"USD": 4000}},
            {"sku": "SHIRT-M", "option_values": {"Size": "M"}, "prices": {"USD": 4200}},
        ],
    }
    body.update(fields)
    return body


async def create(
    client: httpx.AsyncClient, seeded: Seeded, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    product: dict[str, Any] = ok(await client.post(seeded.path("/products"), json=body), status)
    return product


async def test_a_product_is_created_with_its_variants_prices_and_categories(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    category = ok(await client.post(seeded.path("/categories"), json={"name": "Tops"}), 201)
    body = shirt(
        description="Cool in summer.",
        status="draft",
        attributes={"material": "linen", "care": ["cold wash"]},
        seo_title="Linen shirt | Test shop",
        category_ids=[category["id"]],
    )
    body["variants"][0].update(
        barcode="0123456789012",
        weight_grams=180,
        inventory_policy="backorder",
        prices={"USD": 4000, "EUR": 3700},
        compare_at_prices={"USD": 5000},
    )
    product = await create(client, seeded, body)
    assert product["id"].startswith("prod_") and product["store_id"] == seeded.store
    assert product["handle"] == "linen-shirt" and product["status"] == "draft"
    assert product["options"] == [{"name": "Size", "values": ["S", "M"]}]
    assert product["attributes"] == {"material": "linen", "care": ["cold wash"]}
    assert product["category_ids"] == [category["id"]]
    small, medium = product["variants"]
    assert (small["sku"], small["title"], small["barcode"]) == ("SHIRT-S", "S", "0123456789012")
    assert small["prices"] == {"EUR": 3700, "USD": 4000}
    assert small["compare_at_prices"] == {"USD": 5000}
    assert (small["weight_grams"], small["inventory_policy"]) == (180, "backorder")
    assert (medium["title"], medium["prices"], medium["compare_at_prices"]) == (
        "M",
        {"USD": 4200},
        {},
    )
    assert medium["inventory_policy"] == "deny" and medium["track_inventory"] is True
    assert ok(await client.get(seeded.path(f"/products/{product['id']}"))) == product


async def test_a_product_without_options_has_a_variant_titled_like_it(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    product = await create(
        client, seeded, {"title": "Gift wrap", "variants": [{"sku": "WRAP", "prices": {}}]}
    )
    assert product["options"] == [] and product["variants"][0]["title"] == "Gift wrap"
    assert product["variants"][0]["option_values"] == {}


@pytest.mark.parametrize(
    ("title", "handle"),
    [
        pytest.param("Café Crème — Deluxe!", "cafe-creme-deluxe", id="accents"),
        pytest.param("  Trail   Runner 2  ", "trail-runner-2", id="spaces"),
        pytest.param("日本語", "item", id="no-latin"),
        pytest.param("x" * 300, "x" * 100, id="long"),
    ],
)
async def test_a_handle_is_made_from_the_title(
    shop: Shop, unique: str, title: str, handle: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    product = await create(client, seeded, shirt(title=title))
    assert product["handle"] == handle and product["title"] == title


async def test_products_with_the_same_title_get_distinct_handles(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    handles = []
    for n in range(3):
        body = {"title": "日本語 T-shirt", "variants": [{"sku": f"JP-{n}"}]}
        handles.append((await create(client, seeded, body))["handle"])
    assert handles == ["t-shirt", "t-shirt-2", "t-shirt-3"]


async def test_a_handle_given_twice_is_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    await create(client, seeded, shirt(handle="shirt"))
    body = problem(
        await client.post(
            seeded.path("/products"),
            json={"title": "Other", "handle": "shirt", "variants": [{"sku": "OTHER"}]},
        ),
        409,
        "duplicate",
    )
    assert "handle" in body["detail"]


async def test_a_sku_taken_in_the_store_is_a_conflict_and_leaves_nothing_behind(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)  # its variants are SHOE-40...
    body = shirt(title="Left behind?")
    body["variants"][1]["sku"] = "SHOE-40"
    refused = problem(await client.post(seeded.path("/products"), json=body), 409, "duplicate")
    assert "SKU" in refused["detail"]
    listed = ok(await client.get(seeded.path("/products")))["items"]
    assert [p["id"] for p in listed] == [seeded.product]
    async with commerce_db.connect() as conn:
        left = await conn.scalar(
            text("SELECT count(*) FROM commerce.variants WHERE store_id = :s AND sku = 'SHIRT-S'"),
            {"s": seeded.store},
        )
    assert left == 0
    # Nothing holds the handle or the other SKU: the same product goes in once fixed.
    body["variants"][1]["sku"] = "SHIRT-M"
    assert (await create(client, seeded, body))["handle"] == "left-behind"


async def test_a_sku_may_repeat_in_another_store_of_the_account(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    first = await seed(client, handle="first")
    second = await seed(client, handle="second")
    assert first.variants != second.variants
    await create(client, first, shirt())
    await create(client, second, shirt())


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        pytest.param("prices", {"USD": 100, "GBP": 90}, "GBP", id="prices"),
        pytest.param("compare_at_prices", {"JPY": 100}, "JPY", id="compare-at"),
    ],
)
async def test_a_currency_the_store_does_not_offer_is_422(
    shop: Shop, unique: str, field: str, value: dict[str, int], refused: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)  # USD and EUR
    body = shirt()
    body["variants"][1][field] = value
    answer = problem(await client.post(seeded.path("/products"), json=body), 422)
    assert answer["currencies"] == [refused] and refused in answer["detail"]
    assert len(ok(await client.get(seeded.path("/products")))["items"]) == 1


def _variants(*option_values: dict[str, str]) -> list[dict[str, Any]]:
    return [{"sku": f"V-{i}", "option_values": v} for i, v in enumerate(option_values)]


@pytest.mark.parametrize(
    ("options", "variants"),
    [
        pytest.param([{"name": "Size", "values": ["S"]}], _variants({}), id="value-missing"),
        pytest.param(
            [{"name": "Size", "values": ["S"]}], _variants({"Size": "XL"}), id="unknown-value"
        ),
        pytest.param(
            [{"name": "Size", "values": ["S"]}],
            _variants({"Size": "S", "Color": "red"}),
            id="unknown-option",
        ),
        pytest.param(
            [{"name": "Size", "values": ["S", "M"]}],
            _variants({"Size": "S"}, {"Size": "S"}),
            id="same-combination",
        ),
        pytest.param([], _variants({"Size": "S"}), id="values-without-options"),
        pytest.param(
            [{"name": "Size", "values": ["S"]}, {"name": "Size", "values": ["M"]}],
            _variants({"Size": "S"}),
            id="option-twice",
        ),
        pytest.param(
            [{"name": "Size", "values": ["S", "S"]}], _variants({"Size": "S"}), id="value-twice"
        ),
        pytest.param([{"name": "Size", "values": []}], _variants({"Size": "S"}), id="no-values"),
    ],
)
async def test_options_and_variants_that_do_not_match_are_422(
    shop: Shop, unique: str, options: list[dict[str, Any]], variants: list[dict[str, Any]]
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    body = {"title": "Mismatch", "options": options, "variants": variants}
    problem(await client.post(seeded.path("/products"), json=body), 422, "validation-error")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"variants": []}, id="no-variants"),
        pytest.param({"title": ""}, id="empty-title"),
        pytest.param({"handle": "Bad Handle"}, id="bad-handle"),
        pytest.param({"status": "deleted"}, id="status"),
        pytest.param({"options": [{"name": str(n), "values": ["a"]} for n in range(4)]}, id="4"),
        pytest.param({"vendor": "ACME"}, id="extra"),
        pytest.param({"category_ids": ["cat_missing"]}, id="unknown-category"),
        pytest.param({"variants": [{"sku": "A", "prices": {"USD": -1}}]}, id="negative-price"),
        pytest.param({"variants": [{"sku": "A", "prices": {"usd": 1}}]}, id="currency-case"),
        pytest.param({"variants": [{"sku": " A"}]}, id="sku-space"),
        pytest.param({"variants": [{"sku": "A"}, {"sku": "A"}]}, id="sku-twice"),
        pytest.param({"variants": [{"sku": "A", "weight_grams": -5}]}, id="weight"),
        pytest.param({"variants": [{"sku": "A", "inventory_policy": "never"}]}, id="policy"),
    ],
)
async def test_bad_product_input_is_422(shop: Shop, unique: str, change: dict[str, Any]) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    body = {"title": "Bad", "variants": [{"sku": "BAD"}], **change}
    problem(await client.post(seeded.path("/products"), json=body), 422, "validation-error")
    assert len(ok(await client.get(seeded.path("/products")))["items"]) == 1


async def test_long_option_values_make_a_variant_title_that_fits(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    options = [{"name": n, "values": [n * 100]} for n in "abc"]
    body = {
        "title": "Long",
        "options": options,
        "variants": [{"sku": "LONG", "option_values": {n: n * 100 for n in "abc"}}],
    }
    product = await create(client, seeded, body)
    assert len(product["variants"][0]["title"]) <= 300


async def test_products_are_paged_by_cursor_without_repeats(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    made = [seeded.product]
    for n in range(2):
        body = {"title": f"Shirt {n}", "variants": [{"sku": f"S{n}"}]}
        made.append((await create(client, seeded, body))["id"])
    first = ok(await client.get(seeded.path("/products"), params={"limit": 2}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = ok(
        await client.get(
            seeded.path("/products"), params={"limit": 2, "cursor": first["next_cursor"]}
        )
    )
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = [p["id"] for p in first["items"] + second["items"]]
    assert seen == list(reversed(made))
    assert all(p["variants"] for p in first["items"] + second["items"])
    problem(await client.get(seeded.path("/products"), params={"cursor": "%%%"}), 400)


async def test_products_are_filtered_by_status(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    draft = await create(client, seeded, shirt(status="draft"))
    listed = ok(await client.get(seeded.path("/products"), params={"status": "draft"}))
    assert [p["id"] for p in listed["items"]] == [draft["id"]]
    active = ok(await client.get(seeded.path("/products"), params={"status": "active"}))
    assert [p["id"] for p in active["items"]] == [seeded.product]
    problem(await client.get(seeded.path("/products"), params={"status": "gone"}), 422)


async def test_an_update_changes_the_product_and_not_its_variants(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client, prices=[2500, 2600])
    before = ok(await client.get(seeded.path(f"/products/{seeded.product}")))
    tops = ok(await client.post(seeded.path("/categories"), json={"name": "Tops"}), 201)
    after = ok(
        await client.patch(
            seeded.path(f"/products/{seeded.product}"),
            json={
                "title": "Road shoe",
                "handle": "road-shoe",
                "status": "archived",
                "seo_description": "Fast.",
                "category_ids": [tops["id"]],
            },
        )
    )
    assert (after["title"], after["handle"], after["status"]) == (
        "Road shoe",
        "road-shoe",
        "archived",
    )
    assert after["seo_description"] == "Fast." and after["category_ids"] == [tops["id"]]
    assert after["variants"] == before["variants"]
    assert after["updated_at"] >= before["updated_at"]
    cleared = ok(
        await client.patch(
            seeded.path(f"/products/{seeded.product}"),
            json={"seo_description": None, "category_ids": []},
        )
    )
    assert cleared["seo_description"] is None and cleared["category_ids"] == []
    assert cleared["title"] == "Road shoe"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"title": None}, id="null-title"),
        pytest.param({"handle": None}, id="null-handle"),
        pytest.param({"status": None}, id="null-status"),
        pytest.param({"description": None}, id="null-description"),
        pytest.param({"attributes": None}, id="null-attributes"),
        pytest.param({"status": "gone"}, id="status"),
        pytest.param({"category_ids": ["cat_missing"]}, id="unknown-category"),
        pytest.param({"variants": []}, id="variants-elsewhere"),
    ],
)
async def test_a_bad_product_update_is_422_and_changes_nothing(
    shop: Shop, unique: str, change: dict[str, Any]
) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    path = seeded.path(f"/products/{seeded.product}")
    before = ok(await client.get(path))
    problem(await client.patch(path, json=change), 422, "validation-error")
    assert ok(await client.get(path)) == before


async def test_a_category_given_twice_is_set_once(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    tops = ok(await client.post(seeded.path("/categories"), json={"name": "Tops"}), 201)
    made = await create(client, seeded, shirt(category_ids=[tops["id"], tops["id"]]))
    assert made["category_ids"] == [tops["id"]]
    path = seeded.path(f"/products/{seeded.product}")
    changed = ok(await client.patch(path, json={"category_ids": [tops["id"]] * 2}))
    assert changed["category_ids"] == [tops["id"]]


async def test_an_update_to_a_taken_handle_is_a_conflict(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)  # "trail-shoe"
    other = await create(client, seeded, shirt())
    path = seeded.path(f"/products/{other['id']}")
    problem(await client.patch(path, json={"handle": "trail-shoe"}), 409, "duplicate")
    assert ok(await client.get(path))["handle"] == "linen-shirt"


async def test_an_unknown_product_is_404(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    seeded = await seed(client)
    path = seeded.path("/products/prod_missing")
    assert problem(await client.get(path), 404, "not-found")["resource"] == "product"
    problem(await client.patch(path, json={"title": "X"}), 404, "not-found")


async def test_another_account_sees_nothing_of_a_product(shop: Shop, unique: str) -> None:
    owner = shop.client(shop.account("owner", unique))
    other = shop.client(shop.account("other", unique))
    mine = await seed(owner)
    theirs = await seed(other)
    for seeded in (mine, theirs):  # the owner's store, then the other's own store
        path = seeded.path(f"/products/{mine.product}")
        problem(await other.get(path), 404, "not-found")
        problem(await other.patch(path, json={"title": "Mine now"}), 404, "not-found")
        problem(
            await other.patch(seeded.path(f"/variants/{mine.variants[0]}"), json={"sku": "X"}),
            404,
            "not-found",
        )
    listed = ok(await other.get(theirs.path("/products")))["items"]
    assert [p["id"] for p in listed] == [theirs.product]
    assert ok(await owner.get(mine.path(f"/products/{mine.product}")))["title"] == "Trail shoe"


async def test_a_product_of_one_store_is_not_found_in_another(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    first = await seed(client, handle="first")
    second = await seed(client, handle="second")
    problem(await client.get(second.path(f"/products/{first.product}")), 404, "not-found")
    problem(
        await client.patch(second.path(f"/products/{first.product}"), json={"title": "Moved"}),
        404,
        "not-found",
    )
    listed = ok(await client.get(second.path("/products")))["items"]
    assert [p["id"] for p in listed] == [second.product]
    # A category of the first store cannot be given to a product of the second.
    category = ok(await client.post(first.path("/categories"), json={"name": "Shoes"}), 201)
    refused = await client.patch(
        second.path(f"/products/{second.product}"), json={"category_ids": [category["id"]]}
    )
    assert problem(refused, 422)["category_ids"] == [category["id"]]
