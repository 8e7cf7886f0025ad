"""Flat, weight-tiered and price-tiered shipping, free_over and unavailable methods."""

from __future__ import annotations

from velox_commerce.pricing import Promotion, ShippingRate, shipping_quote

from tests.services.commerce.pricing.builders import line, problem_codes, totals

BY_WEIGHT = ShippingRate("w", "By weight", "weight", tiers=((0, 500), (1000, 900), (5000, 2000)))
BY_PRICE = ShippingRate("p", "By price", "price", tiers=((1000, 800), (5000, 400), (10_000, 0)))


def test_flat_rate() -> None:
    rate = ShippingRate("f", "Flat", "flat", amount=499)
    result = totals(line("a", 1000), shipping=rate)
    assert (result.shipping_total, result.shipping_discount, result.total) == (499, 0, 1499)


def test_weight_tiers_use_line_weight_times_quantity() -> None:
    assert totals(line("a", 100, 1, weight=999), shipping=BY_WEIGHT).shipping_total == 500
    assert totals(line("a", 100, 2, weight=500), shipping=BY_WEIGHT).shipping_total == 900
    two_lines = totals(
        line("a", 100, 3, weight=1000), line("b", 100, 1, weight=2000), shipping=BY_WEIGHT
    )
    assert two_lines.shipping_total == 2000


def test_tiers_need_not_be_sorted() -> None:
    shuffled = ShippingRate("w", "W", "weight", tiers=((5000, 2000), (0, 500), (1000, 900)))
    assert shipping_quote(shuffled, weight_grams=4999, subtotal=0) == 900


def test_price_tiers_use_the_subtotal_after_discounts() -> None:
    assert totals(line("a", 5000), shipping=BY_PRICE).shipping_total == 400
    promo = Promotion("p", "fixed", value=1)
    result = totals(line("a", 5000), shipping=BY_PRICE, promotions=(promo,))
    assert result.shipping_total == 800
    assert totals(line("a", 12_000), shipping=BY_PRICE).shipping_total == 0


def test_no_applicable_tier_makes_the_method_unavailable() -> None:
    result = totals(line("a", 999), shipping=BY_PRICE)
    assert result.shipping_total == 0
    assert problem_codes(result) == [("shipping-unavailable", "p")]
    assert shipping_quote(BY_PRICE, weight_grams=0, subtotal=999) is None
    heavy_only = ShippingRate("h", "Freight", "weight", tiers=((20_000, 5000),))
    assert problem_codes(totals(line("a", 100, weight=10), shipping=heavy_only)) == [
        ("shipping-unavailable", "h")
    ]


def test_free_over_compares_the_subtotal_after_discounts() -> None:
    rate = ShippingRate("f", "Flat", "flat", amount=500, free_over=5000)
    assert totals(line("a", 5000), shipping=rate).shipping_total == 0
    assert totals(line("a", 4999), shipping=rate).shipping_total == 500
    promo = Promotion("p", "percentage", value=1000)
    assert totals(line("a", 5000), shipping=rate, promotions=(promo,)).shipping_total == 500


def test_free_over_does_not_make_an_unavailable_method_available() -> None:
    rate = ShippingRate("w", "W", "weight", tiers=((1000, 900),), free_over=100)
    assert shipping_quote(rate, weight_grams=10, subtotal=5000) is None


def test_no_shipping_method_costs_nothing() -> None:
    result = totals(line("a", 1000))
    assert (result.shipping_total, result.shipping_discount, result.problems) == (0, 0, ())


def test_free_shipping_promotion_with_free_over_already_applied_takes_nothing() -> None:
    rate = ShippingRate("f", "Flat", "flat", amount=500, free_over=1000)
    result = totals(line("a", 1000), shipping=rate, promotions=(Promotion("s", "free_shipping"),))
    assert (result.shipping_total, result.shipping_discount) == (0, 0)
    assert result.promotions == ()
