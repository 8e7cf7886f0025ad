"""`velox billing sync-plans`: Stripe ends up mirroring the catalogue, idempotently."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import stripe
from velox_billing.catalog.sync import sync_plans
from velox_devstack.fakestripe import create_app as create_fake_stripe
from velox_shared.contracts.plans import Catalog

from tests.conftest import loopback, shipped_catalog
from tests.services.billing.harness import API_KEY


@pytest.fixture
async def client() -> AsyncIterator[stripe.StripeClient]:
    http = stripe.HTTPXClient()
    async with loopback(create_fake_stripe(api_key=API_KEY)) as url:
        yield stripe.StripeClient(API_KEY, base_addresses={"api": url}, http_client=http)
        await http.close_async()  # type: ignore[no-untyped-call]


async def test_a_second_run_changes_nothing(client: stripe.StripeClient) -> None:
    catalog = shipped_catalog()
    first = await sync_plans(client, catalog)
    assert first.changed and "product velox-vin-pro" in first.created
    assert "price velox_vin_pro_monthly" in first.created
    assert "price velox_vin_pro_vin_decodes_overage" in first.created
    assert "meter velox_vin_decodes" in first.created
    assert "feature vin.packages" in first.created
    second = await sync_plans(client, catalog)
    assert not second.changed, (second.created, second.updated, second.archived)
    assert second.unchanged > 0

    prices = await client.v1.prices.list_async(params={"lookup_keys": ["velox_vin_pro_monthly"]})
    price = prices.data[0]
    assert (price.unit_amount, price.currency, price.product) == (1900, "usd", "velox-vin-pro")
    features = await client.v1.products.features.list_async("velox-vin-pro")
    keys = {f.entitlement_feature.lookup_key for f in features.data}
    assert keys == set(catalog.tier("vin", "pro").features)


async def test_a_new_price_moves_the_lookup_key_and_archives_the_old(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    await sync_plans(client, shipped_catalog())
    old = (
        await client.v1.prices.list_async(params={"lookup_keys": ["velox_vin_pro_monthly"]})
    ).data[0]
    data = json.loads(shipped_catalog().model_dump_json())
    data["families"]["vin"]["tiers"]["pro"]["price"]["amount"] = 2400
    data["families"]["vin"]["tiers"]["pro"]["features"].remove("vin.market_value")
    changed = Catalog.model_validate(data)
    report = await sync_plans(client, changed)
    assert report.updated == ["price velox_vin_pro_monthly"]
    assert set(report.archived) == {
        f"price {old.id}",
        "product feature velox-vin-pro/vin.market_value",
    }
    new = (
        await client.v1.prices.list_async(params={"lookup_keys": ["velox_vin_pro_monthly"]})
    ).data[0]
    assert new.id != old.id and new.unit_amount == 2400
    assert not (await client.v1.prices.retrieve_async(old.id)).active
    assert not (await sync_plans(client, changed)).changed
