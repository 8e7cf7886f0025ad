"""The pricing package's public surface, which the carts and checkout build on."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import pytest
import velox_commerce.pricing as pricing
from velox_commerce.pricing import LineInput, PricingInput, TaxProvider, TaxRate

from tests.services.commerce.pricing.builders import NOW, cart, line


def test_public_names() -> None:
    assert sorted(pricing.__all__) == [
        "AppliedGiftCard",
        "AppliedPromotion",
        "GiftCard",
        "LineInput",
        "LineTotals",
        "PricingInput",
        "PricingProblem",
        "ProblemCode",
        "Promotion",
        "PromotionKind",
        "ShippingRate",
        "TaxProvider",
        "TaxRate",
        "Totals",
        "UnknownCurrency",
        "allocate",
        "compute_totals",
        "format_minor",
        "minor_units",
        "round_minor",
        "round_ratio",
        "shipping_quote",
    ]


def test_result_fields_match_the_contract() -> None:
    fields = [f.name for f in dataclasses.fields(pricing.Totals)]
    assert fields == [
        "currency", "lines", "subtotal", "discount_total", "shipping_total",
        "shipping_discount", "tax_total", "tax_inclusive", "total", "gift_card_total",
        "amount_due", "promotions", "gift_cards", "taxes", "problems",
    ]  # fmt: skip
    assert [f.name for f in dataclasses.fields(pricing.LineTotals)] == [
        "line_id", "quantity", "unit_price", "subtotal", "discount", "tax", "total",
        "promotion_ids",
    ]  # fmt: skip


def test_models_are_frozen_and_slotted() -> None:
    item = line()
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.quantity = 2  # type: ignore[misc]
    assert not hasattr(item, "__dict__")


def test_pricing_input_needs_an_aware_now_and_unique_lines() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cart(line(), now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="unique"):
        cart(line("a"), line("a"))
    with pytest.raises(TypeError):
        PricingInput("USD", (), False)  # type: ignore[call-arg]


def test_line_rejects_negative_quantities_and_prices() -> None:
    with pytest.raises(ValueError, match="quantity"):
        line(quantity=-1)
    with pytest.raises(ValueError, match="unit_price"):
        LineInput("l", "v", "p", 1, -5)


def test_unknown_currency_is_refused_by_the_calculator() -> None:
    with pytest.raises(pricing.UnknownCurrency):
        pricing.compute_totals(cart(line(), currency="ZZZ"))


def test_empty_cart_costs_nothing() -> None:
    result = pricing.compute_totals(cart(currency="JPY", now=NOW))
    assert (result.subtotal, result.total, result.amount_due, result.lines) == (0, 0, 0, ())


class TableRates:
    async def rates(
        self,
        *,
        country: str,
        region: str | None,
        postal_code: str | None,
        tax_codes: Sequence[str],
    ) -> tuple[TaxRate, ...]:
        return (TaxRate("VAT", 2000),) if country == "FR" else ()


async def test_a_tax_provider_is_any_object_with_rates() -> None:
    provider: TaxProvider = TableRates()
    assert await provider.rates(country="FR", region=None, postal_code=None, tax_codes=[]) == (
        TaxRate("VAT", 2000),
    )
