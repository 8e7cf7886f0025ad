"""Tax-exclusive and tax-inclusive stores, several rates, per-line-per-rate rounding."""

from __future__ import annotations

from velox_commerce.pricing import Promotion, ShippingRate, TaxRate

from tests.services.commerce.pricing.builders import VAT_20, line, totals

STATE = TaxRate("State", 600)
COUNTY = TaxRate("County", 125)
SHIPPING_VAT = TaxRate("VAT", 2000, tax_code="shipping")


def test_exclusive_store_adds_tax_to_the_discounted_line() -> None:
    promo = Promotion("p", "percentage", value=1000)
    result = totals(line("a", 1000, 2), taxes=(VAT_20,), promotions=(promo,))
    only = result.lines[0]
    assert (only.subtotal, only.discount, only.tax, only.total) == (2000, 200, 360, 2160)
    assert (result.tax_total, result.total) == (360, 2160)
    assert result.taxes == (("VAT", 360),)
    assert result.tax_inclusive is False


def test_inclusive_store_extracts_tax_and_keeps_the_total() -> None:
    result = totals(line("a", 1200), inclusive=True, taxes=(VAT_20,))
    assert (result.lines[0].tax, result.lines[0].total) == (200, 1200)
    assert (result.tax_total, result.total) == (200, 1200)
    odd = totals(line("a", 1000), inclusive=True, taxes=(VAT_20,))
    assert odd.tax_total == 167  # 166.67
    assert odd.total == 1000


def test_inclusive_store_extracts_tax_from_the_discounted_price() -> None:
    promo = Promotion("p", "fixed", value=240)
    result = totals(line("a", 1200), inclusive=True, taxes=(VAT_20,), promotions=(promo,))
    assert (result.lines[0].tax, result.total) == (160, 960)


def test_several_rates_on_one_line_are_summed_exclusive() -> None:
    result = totals(line("a", 10_000), taxes=(STATE, COUNTY))
    assert result.lines[0].tax == 725
    assert result.taxes == (("State", 600), ("County", 125))
    assert result.total == 10_725


def test_several_rates_on_one_line_inclusive_share_one_divisor() -> None:
    result = totals(line("a", 10_725), inclusive=True, taxes=(STATE, COUNTY))
    assert result.taxes == (("State", 600), ("County", 125))
    assert (result.tax_total, result.total) == (725, 10_725)


def test_rates_apply_only_to_their_tax_code() -> None:
    reduced = TaxRate("VAT reduced", 500, tax_code="food")
    result = totals(
        line("a", 1000),
        line("b", 1000, tax_code="food"),
        line("c", 1000, tax_code="exempt"),
        taxes=(VAT_20, reduced),
    )
    assert [lt.tax for lt in result.lines] == [200, 50, 0]
    assert result.taxes == (("VAT", 200), ("VAT reduced", 50))


def test_tax_is_rounded_per_line_not_on_the_cart() -> None:
    # three lines of 0.15 at 10 %: 0.015 each rounds to 0.02 -> 0.06; once on 0.45 -> 0.05
    ten = TaxRate("Tax", 1000)
    result = totals(line("a", 15), line("b", 15), line("c", 15), taxes=(ten,))
    assert [lt.tax for lt in result.lines] == [2, 2, 2]
    assert result.tax_total == 6
    assert result.total == 51


def test_tax_is_rounded_per_rate_not_on_the_combined_rate() -> None:
    # 0.10 at 5 % + 5 %: 0.005 rounds up twice -> 0.02; once at 10 % -> 0.01
    result = totals(line("a", 10), taxes=(TaxRate("A", 500), TaxRate("B", 500)))
    assert result.tax_total == 2
    assert result.taxes == (("A", 1), ("B", 1))


def test_inclusive_rounding_is_per_line_too() -> None:
    # three lines of 0.05 gross at 10 %: each holds 0.0045 tax -> 0.00; the cart's 0.15
    # would hold 0.0136 -> 0.01
    ten = (TaxRate("T", 1000),)
    result = totals(line("a", 5), line("b", 5), line("c", 5), inclusive=True, taxes=ten)
    assert [lt.tax for lt in result.lines] == [0, 0, 0]
    assert (result.tax_total, result.total) == (0, 15)
    # the other way: 0.06 holds 0.0055 -> 0.01 each, 0.03 in all; the cart's 0.18 -> 0.02
    result = totals(line("a", 6), line("b", 6), line("c", 6), inclusive=True, taxes=ten)
    assert result.tax_total == 3


def test_shipping_is_taxed_with_the_rates_of_its_tax_code() -> None:
    rate = ShippingRate("std", "Standard", "flat", amount=500)
    result = totals(line("a", 1000), taxes=(VAT_20, SHIPPING_VAT), shipping=rate)
    assert [lt.tax for lt in result.lines] == [200]
    assert result.tax_total == 300
    assert result.taxes == (("VAT", 300),)
    assert result.total == 1000 + 500 + 300


def test_untaxed_shipping_when_no_rate_has_its_code() -> None:
    rate = ShippingRate("std", "Standard", "flat", amount=500)
    result = totals(line("a", 1000), taxes=(VAT_20,), shipping=rate)
    assert result.tax_total == 200


def test_inclusive_shipping_tax_is_extracted() -> None:
    rate = ShippingRate("std", "Standard", "flat", amount=600)
    result = totals(line("a", 1200), inclusive=True, taxes=(VAT_20, SHIPPING_VAT), shipping=rate)
    assert (result.tax_total, result.total) == (300, 1800)


def test_free_shipping_leaves_no_shipping_tax() -> None:
    rate = ShippingRate("std", "Standard", "flat", amount=500)
    free = Promotion("free", "free_shipping")
    result = totals(
        line("a", 1000), taxes=(VAT_20, SHIPPING_VAT), shipping=rate, promotions=(free,)
    )
    assert result.tax_total == 200
    assert result.total == 1200


def test_tax_in_zero_and_three_decimal_currencies() -> None:
    consumption = TaxRate("Consumption", 1000)
    assert totals(line("a", 1999), currency="JPY", taxes=(consumption,)).tax_total == 200
    vat = TaxRate("VAT", 500)
    assert totals(line("a", 12_345), currency="BHD", taxes=(vat,)).tax_total == 617  # 617.25


def test_rates_that_tax_nothing_are_left_out_of_the_breakdown() -> None:
    result = totals(line("a", 1000), taxes=(VAT_20, TaxRate("Food", 500, tax_code="food")))
    assert result.taxes == (("VAT", 200),)
