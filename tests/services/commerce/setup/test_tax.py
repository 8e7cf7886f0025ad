"""The tax rates API, and the table-backed tax provider that reads the rates."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from velox_commerce.db.catalog import Store
from velox_commerce.pricing import TaxProvider, TaxRate
from velox_commerce.tax.provider import TableTaxProvider

from tests.services.commerce.factory import ok
from tests.services.commerce.setup.helpers import Merchant, answered, hidden, problem, refused

CALIFORNIA = {"name": "California", "country": "US", "region": "CA", "rate": "7.25"}


async def rate(merchant: Merchant, **body: Any) -> dict[str, Any]:
    made: dict[str, Any] = ok(
        await merchant.client.post(merchant.path("/tax-rates"), json=body), 201
    )
    return made


async def test_a_rate_is_created_listed_and_deleted(merchant: Merchant) -> None:
    made = await rate(merchant, **CALIFORNIA)
    assert made["id"].startswith("tax_") and made["rate"] == "7.25"
    assert made["tax_code"] == "standard" and made["region"] == "CA"
    assert ok(await merchant.client.get(merchant.path("/tax-rates"))) == [made]
    deleted = await merchant.client.delete(merchant.path(f"/tax-rates/{made['id']}"))
    assert deleted.status_code == 204
    assert ok(await merchant.client.get(merchant.path("/tax-rates"))) == []
    problem(await merchant.client.delete(merchant.path(f"/tax-rates/{made['id']}")), 404)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (8.875, "8.875"),
        ("8.8750", "8.875"),
        (20, "20"),
        ("100", "100"),
        (0, "0"),
        ("0.0001", "0.0001"),
    ],
)
async def test_a_rate_is_a_number_or_a_string_and_comes_back_a_string(
    merchant: Merchant, given: float | str, shown: str
) -> None:
    made = await rate(merchant, name="VAT", country="DE", rate=given)
    assert made["rate"] == shown and made["region"] is None


async def test_rates_are_listed_by_place_and_filtered_by_country(merchant: Merchant) -> None:
    shipping = await rate(merchant, **CALIFORNIA, tax_code="shipping")
    state = await rate(merchant, **CALIFORNIA)
    federal = await rate(merchant, name="GST", country="CA", rate=5)
    quebec = await rate(merchant, name="QST", country="CA", region="qc", rate="9.975")
    assert quebec["region"] == "QC"
    listed = ok(await merchant.client.get(merchant.path("/tax-rates")))
    assert [r["id"] for r in listed] == [federal["id"], quebec["id"], shipping["id"], state["id"]]
    only_us = ok(await merchant.client.get(merchant.path("/tax-rates"), params={"country": "US"}))
    assert [r["id"] for r in only_us] == [shipping["id"], state["id"]]


async def test_the_same_rate_twice_is_a_conflict(merchant: Merchant) -> None:
    await rate(merchant, **CALIFORNIA)
    again = await merchant.client.post(
        merchant.path("/tax-rates"), json={**CALIFORNIA, "region": "ca", "rate": 8}
    )
    assert problem(again, 409)["type"].endswith("/duplicate")
    # Another name (a district on top of the state) or another tax code is another rate.
    await rate(merchant, **{**CALIFORNIA, "name": "District", "rate": "1.5"})
    await rate(merchant, **CALIFORNIA, tax_code="shipping")


async def test_a_rate_that_cannot_be_right_is_refused(merchant: Merchant) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"rate": "100.5"}, "less than or equal to 100"),
        ({"rate": -1}, "greater than or equal to 0"),
        ({"rate": "8.87501"}, "no more than 4 decimal places"),
        ({"rate": "7,25"}, "valid decimal"),
        ({"rate": "NaN"}, "finite number"),
        ({"rate": True}, "Decimal input"),
        ({"rate": None}, "Decimal input"),
        ({"country": "USA"}, "pattern"),
        ({"country": "us"}, "pattern"),
        ({"region": "CALIF"}, "pattern"),
        ({"region": "US-CA"}, "pattern"),
        ({"tax_code": "Standard rate"}, "pattern"),
        ({"name": ""}, "at least 1"),
        ({"name": "N" * 101}, "at most 100"),
        ({"compound": True}, "Extra inputs"),
    ]
    await refused(merchant.client, "POST", merchant.path("/tax-rates"), cases, base=CALIFORNIA)


async def test_bad_queries_and_ids_are_problems(merchant: Merchant) -> None:
    await answered(
        merchant.client,
        [
            ("GET", merchant.path("/tax-rates"), {"params": {"country": "usa"}}, 422),
            ("POST", merchant.path("/tax-rates"), {"json": [CALIFORNIA]}, 422),
            ("DELETE", merchant.path(f"/tax-rates/{'t' * 41}"), {}, 422),
            ("DELETE", merchant.path("/tax-rates/tax_missing"), {}, 404),
        ],
    )


async def test_another_tenant_neither_reaches_nor_lists_the_rates(
    merchant: Merchant, rival: Merchant
) -> None:
    made = await rate(merchant, **CALIFORNIA)
    one = f"/tax-rates/{made['id']}"
    await hidden(
        merchant,
        rival,
        [("POST", "/tax-rates", CALIFORNIA), ("GET", "/tax-rates", None), ("DELETE", one, None)],
    )
    assert ok(await rival.client.get(rival.path("/tax-rates"))) == []
    problem(await rival.client.delete(rival.path(one)), 404)
    assert ok(await merchant.client.get(merchant.path("/tax-rates"))) == [made]


async def test_the_table_provider_gives_the_rates_of_an_address(
    merchant: Merchant, rival: Merchant, commerce_db: AsyncEngine
) -> None:
    await rate(merchant, name="GST", country="CA", rate=5)
    await rate(merchant, name="GST", country="CA", rate=5, tax_code="shipping")
    await rate(merchant, name="QST", country="CA", region="QC", rate="9.975")
    await rate(merchant, name="HST", country="CA", region="ON", rate=13)
    await rate(merchant, name="New Jersey", country="US", region="NJ", rate="6.625")
    await rate(rival, name="GST", country="CA", rate=7)
    async with AsyncSession(commerce_db) as session:
        store = await session.get(Store, merchant.store)
        assert store is not None
        provider: TaxProvider = TableTaxProvider(session, store)
        quebec = await provider.rates(
            country="CA", region="qc", postal_code="H2X 1Y4", tax_codes=["standard"]
        )
        # 9.975 % is 997.5 basis points: rounded half up.
        assert quebec == (TaxRate("GST", 500), TaxRate("QST", 998))
        both = await provider.rates(
            country="CA", region=None, postal_code=None, tax_codes=["standard", "shipping"]
        )
        assert both == (TaxRate("GST", 500, "shipping"), TaxRate("GST", 500))
        # 6.625 % is 662.5 basis points: half up, as every amount in pricing.
        assert await provider.rates(
            country="US", region="NJ", postal_code="07001", tax_codes=["standard"]
        ) == (TaxRate("New Jersey", 663),)
        assert (
            await provider.rates(
                country="FR", region=None, postal_code=None, tax_codes=["standard"]
            )
            == ()
        )
        assert await provider.rates(country="CA", region="QC", postal_code=None, tax_codes=[]) == ()
