"""Stripe names derived from the catalogue are stable and reversible."""

from __future__ import annotations

from velox_billing.catalog.naming import (
    PlanRef,
    base_lookup_key,
    meter_event_name,
    overage_lookup_key,
    paid_tiers,
    plan_for_lookup_key,
    product_id,
)

from tests.conftest import shipped_catalog


def test_names_are_stable() -> None:
    assert product_id("price-intel", "pro") == "velox-price-intel-pro"
    assert base_lookup_key("price-intel", "pro") == "velox_price_intel_pro_monthly"
    assert overage_lookup_key("vin", "pro", "vin.decodes") == "velox_vin_pro_vin_decodes_overage"
    assert meter_event_name("vin.decodes") == "velox_vin_decodes"


def test_every_paid_tier_is_found_again_from_its_lookup_key() -> None:
    catalog = shipped_catalog()
    tiers = paid_tiers(catalog)
    assert ("vin", catalog.tier("vin", "pro")) in tiers
    assert all(t.paid for _, t in tiers)
    for family, tier in tiers:
        key = base_lookup_key(family, tier.name)
        assert plan_for_lookup_key(catalog, key) == PlanRef(family, tier.name)
    assert plan_for_lookup_key(catalog, "velox_vin_pro_vin_decodes_overage") is None
    assert plan_for_lookup_key(catalog, None) is None


def test_catalogue_carries_the_product_prices() -> None:
    catalog = shipped_catalog()
    price = {f"{f}:{t.name}": t.price.amount for f, t in paid_tiers(catalog)}
    assert price["vin:pro"] == 1900 and price["vin:enterprise"] == 19900
    assert price["commerce:starter"] == 2900 and price["commerce:professional"] == 7900
    assert price["analytics:basic"] == 4900 and price["analytics:professional"] == 14900
    assert price["automation:starter"] == 1900 and price["trading:enterprise"] == 9900
    assert catalog.tier("commerce", "starter").limits == {
        "commerce.products": 100,
        "commerce.stores": 1,
    }
    assert catalog.tier("vin", "pro").hard_quota("vin.decodes") is None  # overage billed
    assert catalog.tier("vin", "free").hard_quota("vin.decodes") == 10
