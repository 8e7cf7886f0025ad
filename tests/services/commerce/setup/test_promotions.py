"""The promotions API: coupons and automatic promotions of a store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.commerce.factory import ok
from tests.services.commerce.setup.helpers import Merchant, answered, hidden, problem, refused

SAVE10 = {"name": "Ten percent off", "code": "SAVE10", "kind": "percentage", "value": 1000}


async def create(merchant: Merchant, **body: Any) -> dict[str, Any]:
    promotion: dict[str, Any] = ok(
        await merchant.client.post(merchant.path("/promotions"), json=body), 201
    )
    return promotion


async def test_a_coupon_is_created_read_updated_and_deleted(merchant: Merchant) -> None:
    coupon = await create(merchant, **SAVE10, min_subtotal=2000, usage_limit=100)
    assert coupon["id"].startswith("promo_") and coupon["store_id"] == merchant.store
    assert coupon["code"] == "SAVE10" and coupon["value"] == 1000
    assert coupon["times_used"] == 0 and coupon["active"] and coupon["combinable"]
    path = merchant.path(f"/promotions/{coupon['id']}")
    assert ok(await merchant.client.get(path)) == coupon

    changed = ok(
        await merchant.client.patch(
            path, json={"value": 1500, "ends_at": "2099-01-01T00:00:00Z", "usage_limit": None}
        )
    )
    assert changed["value"] == 1500 and changed["usage_limit"] is None
    assert changed["ends_at"].startswith("2099-01-01") and changed["min_subtotal"] == 2000
    assert ok(await merchant.client.get(path)) == changed

    deleted = await merchant.client.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert problem(await merchant.client.get(path), 404)["resource"] == "promotion"
    problem(await merchant.client.delete(path), 404)


async def test_an_automatic_promotion_has_no_code_and_a_coupon_can_become_one(
    merchant: Merchant,
) -> None:
    automatic = await create(merchant, name="Free shipping", kind="free_shipping")
    assert automatic["code"] is None and automatic["value"] == 0
    coupon = await create(merchant, **SAVE10)
    path = merchant.path(f"/promotions/{coupon['id']}")
    assert ok(await merchant.client.patch(path, json={"code": None}))["code"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": "B2G1", "kind": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1},
        {
            "name": "Half the third",
            "kind": "buy_x_get_y",
            "buy_quantity": 2,
            "get_quantity": 1,
            "get_discount_bp": 5000,
            "combinable": False,
        },
        {"name": "5 EUR off", "code": "five-eur", "kind": "fixed", "value": 500, "currency": "EUR"},
        {"name": "All of it", "kind": "percentage", "value": 10000},
        {
            "name": "Summer",
            "code": "SUMMER_25",
            "kind": "percentage",
            "value": 2500,
            "starts_at": "2030-06-01T00:00:00+02:00",
            "ends_at": "2030-09-01T00:00:00+02:00",
        },
    ],
)
async def test_each_kind_is_accepted_with_its_fields(
    merchant: Merchant, body: dict[str, Any]
) -> None:
    promotion = await create(merchant, **body)
    for name, value in body.items():
        if not name.endswith("_at"):
            assert promotion[name] == value, name


async def test_products_and_categories_must_be_the_stores(merchant: Merchant) -> None:
    category = ok(
        await merchant.client.post(merchant.path("/categories"), json={"name": "Shoes"}), 201
    )
    targeted = await create(
        merchant,
        name="Shoe week",
        kind="percentage",
        value=500,
        category_ids=[category["id"], category["id"]],
    )
    assert targeted["category_ids"] == [category["id"]]
    unknown = await merchant.client.post(
        merchant.path("/promotions"),
        json={**SAVE10, "product_ids": ["prod_missing"]},
    )
    assert problem(unknown, 422)["product_ids"] == ["prod_missing"]


async def test_coupon_codes_are_unique_per_store_whatever_their_case(
    merchant: Merchant, rival: Merchant
) -> None:
    await create(merchant, **SAVE10)
    again = await merchant.client.post(
        merchant.path("/promotions"), json={**SAVE10, "code": "save10"}
    )
    assert problem(again, 409)["type"].endswith("/duplicate")
    other = await create(merchant, **{**SAVE10, "code": "OTHER"})
    clash = await merchant.client.patch(
        merchant.path(f"/promotions/{other['id']}"), json={"code": "Save10"}
    )
    problem(clash, 409)
    # Another store (of another tenant) has codes of its own.
    assert (await create(rival, **SAVE10))["code"] == "SAVE10"


async def test_a_promotion_that_cannot_be_right_is_refused(merchant: Merchant) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "percentage", "value": 0}, "basis points"),
        ({"kind": "percentage", "value": 10001}, "basis points"),
        ({"kind": "percentage"}, "basis points"),
        ({"kind": "fixed", "value": 0}, "minor unit"),
        ({"kind": "fixed", "value": -5}, "greater than or equal"),
        ({"kind": "free_shipping", "value": 100}, "does not apply"),
        ({"kind": "buy_x_get_y", "buy_quantity": 0, "get_quantity": 1}, "buy_x_get_y needs"),
        ({"kind": "buy_x_get_y", "buy_quantity": 2}, "buy_x_get_y needs"),
        ({"kind": "percentage", "value": 500, "get_quantity": 1}, "apply only"),
        (
            {"kind": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 1, "get_discount_bp": 0},
            "greater than or equal to 1",
        ),
        ({"kind": "bogo"}, "percentage"),
        ({"kind": "percentage", "value": 500, "code": "TEN OFF"}, "pattern"),
        ({"kind": "percentage", "value": 500, "code": "X" * 65}, "at most 64"),
        ({"kind": "percentage", "value": 500, "currency": "usd"}, "pattern"),
        ({"kind": "percentage", "value": 500, "currency": "XYZ"}, "ISO 4217"),
        ({"kind": "percentage", "value": 500, "starts_at": "2030-01-01T00:00:00"}, "timezone"),
        (
            {
                "kind": "percentage",
                "value": 500,
                "starts_at": "2030-01-02T00:00:00Z",
                "ends_at": "2030-01-01T00:00:00Z",
            },
            "ends_at must be after starts_at",
        ),
        ({"kind": "percentage", "value": 500, "usage_limit": 0}, "greater than or equal"),
        ({"kind": "percentage", "value": 500, "times_used": 3}, "Extra inputs"),
        ({"kind": "percentage", "value": 500, "product_ids": ["p"] * 101}, "at most 100"),
        ({"kind": "percentage", "value": 500, "name": ""}, "at least 1"),
    ]
    await refused(merchant.client, "POST", merchant.path("/promotions"), cases, base={"name": "X"})


async def test_a_currency_the_store_does_not_offer_is_refused(merchant: Merchant) -> None:
    body = {**SAVE10, "kind": "fixed", "value": 500, "currency": "GBP"}
    answer = await merchant.client.post(merchant.path("/promotions"), json=body)
    assert problem(answer, 422)["currencies"] == ["GBP"]


async def test_an_update_must_leave_a_promotion_that_could_be_created(
    merchant: Merchant,
) -> None:
    coupon = await create(merchant, **SAVE10, starts_at="2030-06-01T00:00:00Z")
    path = merchant.path(f"/promotions/{coupon['id']}")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "buy_x_get_y"}, "value does not apply"),
        ({"kind": "buy_x_get_y", "value": 0}, "buy_x_get_y needs"),
        ({"value": 20000}, "between 1 and 10000"),
        ({"ends_at": "2030-01-01T00:00:00Z"}, "ends_at must be after starts_at"),
        ({"name": None}, "name cannot be null"),
        ({"kind": None, "active": None}, "active, kind cannot be null"),
        ({"currency": "GBP"}, "not a currency of this store"),
        ({"category_ids": ["cat_missing"]}, "no cat_missing"),
        ({"times_used": 0}, "Extra inputs"),
    ]
    await refused(merchant.client, "PATCH", path, cases)
    assert ok(await merchant.client.get(path)) == coupon


async def test_the_list_pages_newest_first_and_filters(merchant: Merchant) -> None:
    made = [await create(merchant, **{**SAVE10, "code": f"CODE{i}"}) for i in range(3)]
    paused = made[0]["id"]
    ok(await merchant.client.patch(merchant.path(f"/promotions/{paused}"), json={"active": False}))
    first = ok(await merchant.client.get(merchant.path("/promotions"), params={"limit": 2}))
    assert [p["id"] for p in first["items"]] == [made[2]["id"], made[1]["id"]]
    rest = ok(
        await merchant.client.get(
            merchant.path("/promotions"), params={"limit": 2, "cursor": first["next_cursor"]}
        )
    )
    assert [p["id"] for p in rest["items"]] == [paused] and rest["next_cursor"] is None
    found = ok(await merchant.client.get(merchant.path("/promotions"), params={"code": "code1"}))
    assert [p["id"] for p in found["items"]] == [made[1]["id"]]
    active = ok(await merchant.client.get(merchant.path("/promotions"), params={"active": "true"}))
    assert paused not in {p["id"] for p in active["items"]} and len(active["items"]) == 2


async def test_bad_queries_and_ids_are_problems(merchant: Merchant) -> None:
    listing, long_id = merchant.path("/promotions"), merchant.path(f"/promotions/{'p' * 41}")
    await answered(
        merchant.client,
        [
            ("GET", listing, {"params": {"limit": 0}}, 422),
            ("GET", listing, {"params": {"limit": 201}}, 422),
            ("GET", listing, {"params": {"code": "no spaces"}}, 422),
            ("GET", listing, {"params": {"active": "maybe"}}, 422),
            ("GET", listing, {"params": {"cursor": "not-a-cursor"}}, 400),
            ("POST", listing, {"content": b"[1, 2"}, 422),
            ("POST", listing, {"json": [SAVE10]}, 422),
            ("GET", long_id, {}, 422),
            ("PATCH", long_id, {"json": {}}, 422),
            ("DELETE", long_id, {}, 422),
            ("PATCH", merchant.path("/promotions/promo_missing"), {"json": {}}, 404),
        ],
    )


async def test_another_tenant_neither_reaches_nor_lists_the_promotions(
    merchant: Merchant, rival: Merchant
) -> None:
    coupon = await create(merchant, **SAVE10)
    one = f"/promotions/{coupon['id']}"
    await hidden(
        merchant,
        rival,
        [
            ("POST", "/promotions", SAVE10),
            ("GET", "/promotions", None),
            ("GET", one, None),
            ("PATCH", one, {"value": 1}),
            ("DELETE", one, None),
        ],
    )
    assert ok(await rival.client.get(rival.path("/promotions")))["items"] == []
    rivals_path = rival.path(one)
    assert problem(await rival.client.get(rivals_path), 404)["resource"] == "promotion"
    assert ok(await merchant.client.get(merchant.path(one))) == coupon
