"""Percentage, fixed, buy-x-get-y and free-shipping promotions, and coupon checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from velox_commerce.pricing import Promotion, ShippingRate

from tests.services.commerce.pricing.builders import NOW, line, problem_codes, totals

FLAT_500 = ShippingRate("std", "Standard", "flat", amount=500)


def percent(id_: str, bp: int, **fields: object) -> Promotion:
    return Promotion(id_, "percentage", value=bp, **fields)  # type: ignore[arg-type]


def fixed(id_: str, amount: int, **fields: object) -> Promotion:
    return Promotion(id_, "fixed", value=amount, **fields)  # type: ignore[arg-type]


def test_percentage_spreads_over_lines_by_subtotal() -> None:
    result = totals(line("a", 1000), line("b", 2000, 2), promotions=(percent("p10", 1000),))
    assert [lt.discount for lt in result.lines] == [100, 400]
    assert result.discount_total == 500
    assert result.total == 4500
    assert [lt.promotion_ids for lt in result.lines] == [("p10",), ("p10",)]
    assert [(p.id, p.code, p.kind, p.amount) for p in result.promotions] == [
        ("p10", None, "percentage", 500)
    ]


def test_percentage_is_rounded_once_then_allocated() -> None:
    # 15 % of 3 x 33 = 14.85 -> 15, spread 5/5/5, not 4.95 rounded per line
    result = totals(line("a", 33), line("b", 33), line("c", 33), promotions=(percent("p", 1500),))
    assert result.discount_total == 15
    assert [lt.discount for lt in result.lines] == [5, 5, 5]


def test_percentage_in_a_zero_decimal_currency_rounds_to_whole_yen() -> None:
    result = totals(line("a", 999), currency="JPY", promotions=(percent("p", 1000),))
    assert result.discount_total == 100  # 99.9 yen
    assert result.total == 899


def test_percentage_in_a_three_decimal_currency_rounds_to_fils() -> None:
    result = totals(line("a", 1234), currency="KWD", promotions=(percent("p", 1500),))
    assert result.discount_total == 185  # 185.1 fils
    assert result.total == 1049


def test_fixed_amount_spreads_and_never_exceeds_the_lines() -> None:
    result = totals(line("a", 300), line("b", 100), promotions=(fixed("f", 200),))
    assert [lt.discount for lt in result.lines] == [150, 50]
    capped = totals(line("a", 300), line("b", 100), promotions=(fixed("f", 10_000),))
    assert [lt.discount for lt in capped.lines] == [300, 100]
    assert capped.total == 0
    assert capped.promotions[0].amount == 400


def test_promotion_targets_products_or_categories() -> None:
    shoes = line("a", 1000, product="shoe")
    hat = line("b", 1000, categories=("hats", "summer"))
    sock = line("c", 1000)
    by_product = totals(shoes, hat, sock, promotions=(percent("p", 1000, product_ids=("shoe",)),))
    assert [lt.discount for lt in by_product.lines] == [100, 0, 0]
    either = percent("p", 1000, product_ids=("shoe",), category_ids=("summer",))
    result = totals(shoes, hat, sock, promotions=(either,))
    assert [lt.discount for lt in result.lines] == [100, 100, 0]
    assert result.lines[2].promotion_ids == ()


def test_fixed_promotion_only_on_target_lines() -> None:
    result = totals(
        line("a", 1000, categories=("books",)),
        line("b", 3000),
        promotions=(fixed("f", 1500, category_ids=("books",)),),
    )
    assert [lt.discount for lt in result.lines] == [1000, 0]


def test_fixed_promotion_in_another_currency_is_skipped() -> None:
    result = totals(line("a", 5000), currency="EUR", promotions=(fixed("f", 500, currency="USD"),))
    assert result.discount_total == 0
    assert result.problems == ()
    coupon = fixed("f", 500, currency="usd", code="TEN")
    mismatch = totals(line("a", 5000), currency="EUR", promotions=(coupon,), coupons=("TEN",))
    assert problem_codes(mismatch) == [("currency-mismatch", "TEN")]
    assert totals(line("a", 5000), promotions=(coupon,), coupons=("ten",)).discount_total == 500


def test_buy_one_get_one_frees_the_cheapest_units() -> None:
    bogo = Promotion("bogo", "buy_x_get_y", buy_quantity=1, get_quantity=1)
    result = totals(line("a", 1000, 3), line("b", 500, 1), promotions=(bogo,))
    # four units, two groups: the two cheapest units (500 and one 1000) are free
    assert [lt.discount for lt in result.lines] == [1000, 500]
    assert result.total == 2000


def test_buy_two_get_one_half_price_needs_complete_groups() -> None:
    deal = Promotion("b2g1", "buy_x_get_y", buy_quantity=2, get_quantity=1, get_discount_bp=5000)
    assert totals(line("a", 100, 5), promotions=(deal,)).discount_total == 50
    assert totals(line("a", 100, 6), promotions=(deal,)).discount_total == 100
    assert totals(line("a", 100, 2), promotions=(deal,)).discount_total == 0
    assert totals(line("a", 100, 2), promotions=(deal,)).promotions == ()


def test_buy_x_get_y_counts_only_target_units_and_skips_empty_lines() -> None:
    bogo = Promotion("bogo", "buy_x_get_y", buy_quantity=1, get_quantity=1, product_ids=("t",))
    result = totals(
        line("a", 10, 0, product="t"),
        line("b", 300, 1, product="t"),
        line("c", 5, 4),
        line("d", 200, 1, product="t"),
        promotions=(bogo,),
    )
    assert [lt.discount for lt in result.lines] == [0, 0, 0, 200]


def test_percentage_applies_after_buy_x_get_y_on_what_is_left() -> None:
    bogo = Promotion("bogo", "buy_x_get_y", buy_quantity=1, get_quantity=1)
    result = totals(line("a", 1000, 2), promotions=(percent("p", 1000), bogo))
    assert result.discount_total == 1100  # one free, then 10 % of the other 1000
    assert result.lines[0].promotion_ids == ("bogo", "p")


def test_two_percentages_compound() -> None:
    result = totals(line("a", 1000), promotions=(percent("p", 1000), percent("q", 1000)))
    assert result.discount_total == 190


def test_free_shipping_zeroes_shipping() -> None:
    free = Promotion("ship", "free_shipping", code="SHIPFREE")
    result = totals(line("a", 1000), shipping=FLAT_500, promotions=(free,), coupons=("shipfree",))
    assert (result.shipping_total, result.shipping_discount, result.total) == (500, 500, 1000)
    assert [(p.id, p.amount) for p in result.promotions] == [("ship", 500)]
    assert result.discount_total == 0


def test_accepted_coupon_is_listed_even_when_it_takes_nothing_off() -> None:
    free = Promotion("ship", "free_shipping", code="SHIPFREE")
    result = totals(line("a", 1000), promotions=(free,), coupons=("SHIPFREE",))
    assert [(p.id, p.code, p.amount) for p in result.promotions] == [("ship", "SHIPFREE", 0)]
    automatic = totals(line("a", 1000), promotions=(Promotion("auto", "free_shipping"),))
    assert automatic.promotions == ()


def test_unknown_coupon_is_reported_and_ignored() -> None:
    result = totals(
        line("a", 1000), promotions=(percent("p", 1000, code="REAL"),), coupons=("FAKE",)
    )
    assert problem_codes(result) == [("invalid-coupon", "FAKE")]
    assert result.discount_total == 0


def test_coupon_codes_match_without_case_and_count_once() -> None:
    promo = percent("p", 1000, code="Spring10")
    result = totals(line("a", 1000), promotions=(promo,), coupons=(" SPRING10", "spring10"))
    assert result.discount_total == 100
    assert result.problems == ()


def test_promotion_with_a_code_not_entered_does_not_apply() -> None:
    result = totals(line("a", 1000), promotions=(percent("p", 1000, code="SECRET"),))
    assert result.discount_total == 0
    assert result.problems == ()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"starts_at": NOW + timedelta(seconds=1)}, "coupon-not-started"),
        ({"ends_at": NOW}, "coupon-expired"),
        ({"ends_at": NOW - timedelta(days=1)}, "coupon-expired"),
        ({"usage_limit": 3, "times_used": 3}, "coupon-usage-limit"),
        ({"usage_limit": 0}, "coupon-usage-limit"),
        ({"min_subtotal": 1001}, "coupon-minimum-not-met"),
    ],
)
def test_coupon_that_fails_a_check_is_reported(fields: dict[str, object], code: str) -> None:
    promo = percent("p", 1000, code="C", **fields)
    result = totals(line("a", 1000), promotions=(promo,), coupons=("C",))
    assert problem_codes(result) == [(code, "C")]
    assert result.discount_total == 0
    assert result.promotions == ()
    automatic = totals(line("a", 1000), promotions=(percent("p", 1000, **fields),))
    assert automatic.discount_total == 0
    assert automatic.problems == ()


@pytest.mark.parametrize(
    "fields",
    [
        {"starts_at": NOW, "ends_at": NOW + timedelta(seconds=1)},
        {"usage_limit": 3, "times_used": 2},
        {"min_subtotal": 1000},
    ],
)
def test_coupon_at_the_edge_of_its_limits_applies(fields: dict[str, object]) -> None:
    promo = percent("p", 1000, code="C", **fields)
    result = totals(line("a", 1000), promotions=(promo,), coupons=("C",))
    assert result.problems == ()
    assert result.discount_total == 100


def test_minimum_is_checked_against_the_subtotal_before_discounts() -> None:
    first = percent("p", 5000)
    second = fixed("f", 100, min_subtotal=1000)
    assert totals(line("a", 1000), promotions=(first, second)).discount_total == 600


def test_minimum_problem_names_the_amount_in_major_units() -> None:
    promo = percent("p", 1000, code="C", min_subtotal=5000)
    result = totals(line("a", 1000), currency="KWD", promotions=(promo,), coupons=("C",))
    assert "5.000 KWD" in result.problems[0].detail


def test_non_combinable_coupon_wins_when_it_is_better() -> None:
    promotions = (
        percent("big", 3000, code="BIG", combinable=False),
        percent("auto1", 1000),
        percent("auto2", 500),
        Promotion("ship", "free_shipping"),
    )
    result = totals(line("a", 10_000), promotions=promotions, coupons=("BIG",), shipping=FLAT_500)
    assert [p.id for p in result.promotions] == ["big", "ship"]
    assert result.discount_total == 3000
    assert result.shipping_discount == 500  # free shipping is outside the rule
    assert result.problems == ()


def test_non_combinable_coupon_loses_to_a_better_stack_and_is_reported() -> None:
    promotions = (percent("small", 1000, code="SMALL", combinable=False), percent("auto", 1500))
    result = totals(line("a", 10_000), promotions=promotions, coupons=("SMALL",))
    assert [p.id for p in result.promotions] == ["auto"]
    assert result.discount_total == 1500
    assert problem_codes(result) == [("coupon-not-combinable", "SMALL")]


def test_non_combinable_automatic_promotion_does_not_block_a_better_coupon() -> None:
    promotions = (percent("auto", 500, combinable=False), percent("c", 2000, code="C"))
    result = totals(line("a", 10_000), promotions=promotions, coupons=("C",))
    assert [p.id for p in result.promotions] == ["c"]
    assert result.problems == ()


def test_combinable_coupon_dropped_for_a_better_non_combinable_one() -> None:
    promotions = (percent("solo", 1000, code="SOLO", combinable=False), fixed("f", 500, code="F"))
    result = totals(line("a", 10_000), promotions=promotions, coupons=("SOLO", "F"))
    assert [p.id for p in result.promotions] == ["solo"]
    assert problem_codes(result) == [("coupon-not-combinable", "F")]
    assert "solo" in result.problems[0].detail


def test_two_non_combinable_coupons_keep_the_better_one() -> None:
    promotions = (
        fixed("a", 700, code="A", combinable=False),
        percent("b", 1000, code="B", combinable=False),
    )
    result = totals(line("x", 10_000), promotions=promotions, coupons=("A", "B"))
    assert [p.id for p in result.promotions] == ["b"]
    assert problem_codes(result) == [("coupon-not-combinable", "A")]


def test_non_combinable_tie_keeps_the_combinable_promotions() -> None:
    promotions = (percent("solo", 1000, code="S", combinable=False), fixed("f", 100))
    result = totals(line("a", 1000), promotions=promotions, coupons=("S",))
    assert [p.id for p in result.promotions] == ["f"]
    assert problem_codes(result) == [("coupon-not-combinable", "S")]


def test_best_choice_counts_shipping_not_just_the_discount() -> None:
    # The 10 % coupon drops the cart under free_over, so the smaller 5 % stack is cheaper.
    rate = ShippingRate("std", "Standard", "flat", amount=1000, free_over=9500)
    promotions = (percent("ten", 1000, code="TEN", combinable=False), percent("auto", 500))
    result = totals(line("a", 10_000), promotions=promotions, coupons=("TEN",), shipping=rate)
    assert [p.id for p in result.promotions] == ["auto"]
    assert result.total == 9500


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "percentage", "value": 10_001},
        {"kind": "fixed", "value": -1},
        {"kind": "buy_x_get_y", "buy_quantity": 0, "get_quantity": 1},
        {"kind": "percentage", "get_discount_bp": 10_001},
        {"kind": "percentage", "usage_limit": -1},
        {"kind": "percentage", "starts_at": NOW.replace(tzinfo=None)},
    ],
)
def test_promotion_rejects_impossible_values(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="promotion x"):
        Promotion("x", **fields)  # type: ignore[arg-type]
