"""Currency exponents, half-up rounding and exact allocation."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from velox_commerce.pricing import (
    UnknownCurrency,
    allocate,
    format_minor,
    minor_units,
    round_minor,
    round_ratio,
)


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("KWD", 3),
        ("BHD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("CLF", 4),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, exponent: int) -> None:
    assert minor_units(currency) == exponent


def test_minor_units_ignore_case() -> None:
    assert minor_units("jpy") == 0
    assert minor_units("Kwd") == 3


@pytest.mark.parametrize("currency", ["ABC", "XAU", "XXX", "", "usdollar"])
def test_unknown_currency_is_a_value_error(currency: str) -> None:
    with pytest.raises(UnknownCurrency):
        minor_units(currency)
    assert issubclass(UnknownCurrency, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5", 3),
        ("2.4999", 2),
        ("3.5", 4),
        ("-2.5", -3),
        ("-2.4", -2),
        ("0.5", 1),
        ("7", 7),
        ("123456789012345678901234567890.5", 123456789012345678901234567891),
    ],
)
def test_round_minor_rounds_half_away_from_zero(value: str, expected: int) -> None:
    assert round_minor(Decimal(value)) == expected


def test_round_minor_refuses_floats_and_infinities() -> None:
    not_a_decimal: Any = 2.5
    with pytest.raises(TypeError):
        round_minor(not_a_decimal)
    with pytest.raises(ValueError, match="cannot round"):
        round_minor(Decimal("Infinity"))


def test_round_ratio_agrees_with_round_minor() -> None:
    rng = random.Random(4217)
    for _ in range(2000):
        numerator = rng.randint(-(10**9), 10**9)
        denominator = rng.choice([10_000, 12_000, 10_725, 3, 7, rng.randint(1, 10**6)])
        expected = round_minor(Decimal(numerator) / Decimal(denominator))
        assert round_ratio(numerator, denominator) == expected


def test_round_ratio_is_exact_beyond_decimal_precision() -> None:
    huge = 10**40
    assert round_ratio(huge * 2 + 1, 2) == huge + 1
    assert round_ratio(-(huge * 2 + 1), 2) == -(huge + 1)


def test_format_minor_uses_the_exponent() -> None:
    assert format_minor(1999, "usd") == "19.99 USD"
    assert format_minor(-5, "EUR") == "-0.05 EUR"
    assert format_minor(500, "JPY") == "500 JPY"
    assert format_minor(1234, "KWD") == "1.234 KWD"


def test_allocate_splits_proportionally() -> None:
    assert allocate(600, [100, 200, 300]) == [100, 200, 300]
    assert allocate(60, [100, 200, 300]) == [10, 20, 30]


def test_allocate_gives_leftovers_to_largest_remainders() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [3, 3, 4]) == [3, 3, 4]
    # exact shares 3.33.., 3.33.., 3.33..: the earlier index wins the tie
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    # exact shares 0.6 and 1.4 -> remainders 0.6 and 0.4
    assert allocate(2, [3, 7]) == [1, 1]


def test_allocate_zero_weights_get_nothing() -> None:
    assert allocate(7, [0, 5, 0, 5]) == [0, 4, 0, 3]
    assert allocate(1, [0, 1]) == [0, 1]


def test_allocate_with_all_weights_zero_splits_evenly() -> None:
    assert allocate(10, [0, 0, 0]) == [4, 3, 3]
    assert allocate(0, [0, 0]) == [0, 0]


def test_allocate_negative_total_mirrors_the_positive_split() -> None:
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


def test_allocate_refuses_negative_weights_and_nothing_to_split_over() -> None:
    with pytest.raises(ValueError, match="negative"):
        allocate(10, [1, -1])
    with pytest.raises(ValueError, match="no weights"):
        allocate(10, [])
    assert allocate(0, []) == []


def test_allocate_always_sums_to_the_total() -> None:
    rng = random.Random(20260314)
    for _ in range(500):
        weights = [rng.choice([0, 0, 1, rng.randint(1, 10**6)]) for _ in range(rng.randint(1, 9))]
        total = rng.randint(-(10**7), 10**7)
        parts = allocate(total, weights)
        assert sum(parts) == total
        assert len(parts) == len(weights)
        if any(weights):
            whole = sum(weights)
            for part, weight in zip(parts, weights, strict=True):
                assert abs(part * whole - total * weight) < whole  # within one minor unit
                if weight == 0:
                    assert part == 0
