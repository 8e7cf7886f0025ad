"""The shipping API: zones of countries and their priced methods."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.commerce.factory import ok
from tests.services.commerce.setup.helpers import Merchant, answered, hidden, problem, refused

FLAT = {"name": "Standard", "kind": "flat", "amount": 599}
BY_WEIGHT = {"name": "Parcel", "kind": "weight", "tiers": [[0, 500], [2000, 900]]}


async def zone(merchant: Merchant, countries: list[str] | None = None) -> dict[str, Any]:
    body = {"name": "North America", "countries": countries or ["US", "CA"]}
    made: dict[str, Any] = ok(
        await merchant.client.post(merchant.path("/shipping-zones"), json=body), 201
    )
    return made


async def method(merchant: Merchant, zone_id: str, **body: Any) -> dict[str, Any]:
    made: dict[str, Any] = ok(
        await merchant.client.post(merchant.path(f"/shipping-zones/{zone_id}/methods"), json=body),
        201,
    )
    return made


async def test_a_zone_lists_its_methods_and_takes_them_when_deleted(merchant: Merchant) -> None:
    made = await zone(merchant, ["US", "CA", "US"])
    assert made["id"].startswith("zone_") and made["countries"] == ["US", "CA"]
    assert made["methods"] == []
    flat = await method(merchant, made["id"], **FLAT)
    weight = await method(merchant, made["id"], **BY_WEIGHT)
    zones = ok(await merchant.client.get(merchant.path("/shipping-zones")))
    assert [z["id"] for z in zones] == [made["id"]]
    assert zones[0]["methods"] == [flat, weight]

    deleted = await merchant.client.delete(merchant.path(f"/shipping-zones/{made['id']}"))
    assert deleted.status_code == 204
    assert ok(await merchant.client.get(merchant.path("/shipping-zones"))) == []
    gone = await merchant.client.patch(
        merchant.path(f"/shipping-methods/{flat['id']}"), json={"amount": 1}
    )
    assert problem(gone, 404)["resource"] == "shipping method"
    problem(await merchant.client.delete(merchant.path(f"/shipping-zones/{made['id']}")), 404)


@pytest.mark.parametrize(
    "body",
    [
        {**FLAT, "free_over": 10000},
        {"name": "Free", "kind": "flat", "amount": 0},
        {**BY_WEIGHT, "currency": "EUR"},
        {"name": "By basket", "kind": "price", "tiers": [[0, 999], [5000, 499], [10000, 0]]},
    ],
)
async def test_each_kind_of_method_is_accepted(merchant: Merchant, body: dict[str, Any]) -> None:
    made = await zone(merchant)
    created = await method(merchant, made["id"], **body)
    assert created["id"].startswith("ship_") and created["zone_id"] == made["id"]
    assert created["currency"] == body.get("currency", "USD")
    assert created["amount"] == body.get("amount")
    assert created["tiers"] == body.get("tiers", [])
    assert created["free_over"] == body.get("free_over")
    listed = ok(await merchant.client.get(merchant.path(f"/shipping-zones/{made['id']}/methods")))
    assert listed == [created]


async def test_a_method_is_updated_and_deleted(merchant: Merchant) -> None:
    made = await zone(merchant)
    flat = await method(merchant, made["id"], **FLAT)
    path = merchant.path(f"/shipping-methods/{flat['id']}")
    cheaper = ok(await merchant.client.patch(path, json={"amount": 499, "free_over": 5000}))
    assert cheaper["amount"] == 499 and cheaper["free_over"] == 5000
    tiered = ok(
        await merchant.client.patch(
            path, json={"kind": "weight", "amount": None, "tiers": [[0, 700]], "free_over": None}
        )
    )
    assert tiered["kind"] == "weight" and tiered["amount"] is None
    assert tiered["tiers"] == [[0, 700]] and tiered["free_over"] is None
    renamed = ok(await merchant.client.patch(path, json={"name": "Heavy", "currency": "EUR"}))
    assert renamed["name"] == "Heavy" and renamed["tiers"] == [[0, 700]]
    listed = ok(await merchant.client.get(merchant.path(f"/shipping-zones/{made['id']}/methods")))
    assert listed == [renamed]
    assert (await merchant.client.delete(path)).status_code == 204
    assert (
        ok(await merchant.client.get(merchant.path(f"/shipping-zones/{made['id']}/methods"))) == []
    )
    problem(await merchant.client.delete(path), 404)


async def test_a_zone_that_cannot_be_right_is_refused(merchant: Merchant) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "Empty", "countries": []}, "at least 1"),
        ({"name": "World", "countries": ["US"] * 251}, "at most 250"),
        ({"name": "Lower", "countries": ["us"]}, "pattern"),
        ({"name": "Three letters", "countries": ["USA"]}, "pattern"),
        ({"name": "", "countries": ["US"]}, "at least 1"),
        ({"countries": ["US"]}, "Field required"),
        ({"name": "Extra", "countries": ["US"], "methods": []}, "Extra inputs"),
    ]
    await refused(merchant.client, "POST", merchant.path("/shipping-zones"), cases)


async def test_a_method_that_cannot_be_right_is_refused(merchant: Merchant) -> None:
    made = await zone(merchant)
    path = merchant.path(f"/shipping-zones/{made['id']}/methods")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "flat"}, "needs amount"),
        ({**FLAT, "tiers": [[0, 100]]}, "tiers do not apply"),
        ({**FLAT, "amount": -1}, "greater than or equal to 0"),
        ({"kind": "weight"}, "at least one tier"),
        ({"kind": "price", "tiers": []}, "at least one tier"),
        ({"kind": "weight", "tiers": [[1000, 900], [0, 500]]}, "ascending and unique"),
        ({"kind": "weight", "tiers": [[0, 500], [0, 900]]}, "ascending and unique"),
        ({"kind": "weight", "amount": 100, "tiers": [[0, 500]]}, "amount does not apply"),
        ({"kind": "weight", "tiers": [[0, 500, 1]]}, "at most 2"),
        ({"kind": "weight", "tiers": [[-1, 500]]}, "greater than or equal to 0"),
        ({"kind": "weight", "tiers": [[0, -5]]}, "greater than or equal to 0"),
        ({"kind": "drone", "amount": 100}, "'flat', 'weight' or 'price'"),
        ({**FLAT, "currency": "GBP"}, "not a currency of this store"),
        ({**FLAT, "free_over": -1}, "greater than or equal to 0"),
    ]
    await refused(merchant.client, "POST", path, cases, base={"name": "M"})


async def test_an_update_must_leave_a_method_that_could_be_created(merchant: Merchant) -> None:
    made = await zone(merchant)
    flat = await method(merchant, made["id"], **FLAT)
    path = merchant.path(f"/shipping-methods/{flat['id']}")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "weight"}, "amount does not apply"),
        ({"kind": "weight", "amount": None}, "at least one tier"),
        ({"tiers": [[0, 100]]}, "tiers do not apply"),
        ({"amount": None}, "needs amount"),
        ({"name": None}, "name cannot be null"),
        ({"currency": "GBP"}, "not a currency of this store"),
        ({"zone_id": "zone_other"}, "Extra inputs"),
    ]
    await refused(merchant.client, "PATCH", path, cases)
    listed = ok(await merchant.client.get(merchant.path(f"/shipping-zones/{made['id']}/methods")))
    assert listed == [flat]


async def test_bad_ids_are_problems(merchant: Merchant) -> None:
    long_zone = merchant.path(f"/shipping-zones/{'z' * 41}")
    long_method = merchant.path(f"/shipping-methods/{'s' * 41}")
    missing_zone = merchant.path("/shipping-zones/zone_missing")
    await answered(
        merchant.client,
        [
            ("POST", merchant.path("/shipping-zones"), {"content": b"not json"}, 422),
            ("DELETE", long_zone, {}, 422),
            ("GET", f"{long_zone}/methods", {}, 422),
            ("POST", f"{long_zone}/methods", {"json": FLAT}, 422),
            ("PATCH", long_method, {"json": {}}, 422),
            ("DELETE", long_method, {}, 422),
            ("DELETE", missing_zone, {}, 404),
            ("GET", f"{missing_zone}/methods", {}, 404),
            ("POST", f"{missing_zone}/methods", {"json": FLAT}, 404),
            ("PATCH", merchant.path("/shipping-methods/ship_missing"), {"json": {}}, 404),
            ("DELETE", merchant.path("/shipping-methods/ship_missing"), {}, 404),
        ],
    )


async def test_another_tenant_neither_reaches_nor_lists_zones_and_methods(
    merchant: Merchant, rival: Merchant
) -> None:
    made = await zone(merchant)
    flat = await method(merchant, made["id"], **FLAT)
    zone_path, method_path = f"/shipping-zones/{made['id']}", f"/shipping-methods/{flat['id']}"
    await hidden(
        merchant,
        rival,
        [
            ("POST", "/shipping-zones", {"name": "Z", "countries": ["FR"]}),
            ("GET", "/shipping-zones", None),
            ("GET", f"{zone_path}/methods", None),
            ("POST", f"{zone_path}/methods", FLAT),
            ("PATCH", method_path, {"amount": 1}),
            ("DELETE", method_path, None),
            ("DELETE", zone_path, None),
        ],
    )
    assert ok(await rival.client.get(rival.path("/shipping-zones"))) == []
    assert problem(await rival.client.delete(rival.path(zone_path)), 404)
    zones = ok(await merchant.client.get(merchant.path("/shipping-zones")))
    assert [z["id"] for z in zones] == [made["id"]] and zones[0]["methods"] == [flat]
