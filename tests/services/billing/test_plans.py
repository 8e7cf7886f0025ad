"""GET /v1/billing/plans: the public catalogue (global, not tenant data)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from tests.conftest import Keys, serve


async def test_catalogue_lists_every_family_cheapest_tier_first(
    component_app: Callable[[str], FastAPI], keys: Keys
) -> None:
    async with serve(component_app("billing")) as client:
        response = await client.get(
            "/v1/billing/plans", headers={"X-Velox-Identity": keys.token("billing")}
        )
    assert response.status_code == 200
    families = {f["family"]: f for f in response.json()["families"]}
    assert {"vin", "commerce", "trading"} <= set(families)
    vin = [t["plan"] for t in families["vin"]["tiers"]]
    assert vin == ["vin:free", "vin:pro", "vin:enterprise"]
    pro = families["vin"]["tiers"][1]
    assert pro["price"] == {"amount": 1900, "currency": "USD", "interval": "month"}
    assert pro["quotas"] == {"vin.decodes": 1000}
    assert families["vin"]["tiers"][2]["quotas"] == {"vin.decodes": None}


async def test_one_family_and_bad_names(
    component_app: Callable[[str], FastAPI], keys: Keys
) -> None:
    headers = {"X-Velox-Identity": keys.token("billing")}
    async with serve(component_app("billing")) as client:
        one = await client.get("/v1/billing/plans/trading", headers=headers)
        unknown = await client.get("/v1/billing/plans/boats", headers=headers)
        invalid = await client.get("/v1/billing/plans/BAD!", headers=headers)
        anonymous = await client.get("/v1/billing/plans")
    assert one.json()["family"] == "trading"
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/plan-family-not-found")
    assert invalid.status_code == 422
    assert anonymous.status_code == 401
