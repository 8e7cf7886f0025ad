"""The check digit and model-year tables against 49 CFR 565.15 and ISO 3779."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from velox_vin_intel.decoding.rules import (
    ALPHABET,
    TRANSLITERATION,
    WEIGHTS,
    YEAR_CODES,
    alphabet_errors,
    check_digit,
    model_years,
)


def test_transliteration_is_the_published_table() -> None:
    published = "A1 B2 C3 D4 E5 F6 G7 H8 J1 K2 L3 M4 N5 P7 R9 S2 T3 U4 V5 W6 X7 Y8 Z9"
    for pair in published.split():
        assert TRANSLITERATION[pair[0]] == int(pair[1])
    assert all(TRANSLITERATION[str(d)] == d for d in range(10))
    assert not {"I", "O", "Q"} & ALPHABET
    assert len(ALPHABET) == 33


def test_weights_are_the_published_ones() -> None:
    assert WEIGHTS == (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@pytest.mark.parametrize(
    ("vin", "digit"),
    [
        ("1M8GDM9AXKP042788", "X"),  # the worked example: remainder 10 is written X
        ("11111111111111111", "1"),
        ("5FNYF5H59HB011946", "9"),
        ("1HGCM82633A004352", "3"),
        ("KNDCE3LG2L5073161", "2"),
    ],
)
def test_check_digit_of_known_vins(vin: str, digit: str) -> None:
    assert check_digit(vin) == digit


def test_check_digit_ignores_position_nine() -> None:
    assert check_digit("1M8GDM9A0KP042788") == check_digit("1M8GDM9AXKP042788")


def test_year_codes_cover_1980_to_2009_and_skip_the_forbidden_letters() -> None:
    assert YEAR_CODES["A"] == 1980
    assert YEAR_CODES["H"] == 1987
    assert YEAR_CODES["J"] == 1988  # I is skipped
    assert YEAR_CODES["P"] == 1993  # O is skipped
    assert YEAR_CODES["R"] == 1994  # Q is skipped
    assert YEAR_CODES["V"] == 1997  # U is skipped
    assert YEAR_CODES["Y"] == 2000  # Z is skipped
    assert YEAR_CODES["1"] == 2001
    assert YEAR_CODES["9"] == 2009
    assert not {"I", "O", "Q", "U", "Z", "0"} & set(YEAR_CODES)
    assert len(YEAR_CODES) == 30


@pytest.mark.parametrize(
    ("vin", "years"),
    [
        ("5FNYF5H59HB011946", (2017,)),  # position 7 letter: 2010-2039
        ("1HGCM82633A004352", (2003,)),  # position 7 digit: 1980-2009
        ("2GCEC19Z0S1245490", (1995,)),
        ("1M8GDM9AXKP042788", (1989,)),
        ("KNDCE3LG2L5073161", (2020,)),
    ],
)
def test_position_seven_settles_the_cycle_for_light_vehicles(vin: str, years: tuple[int]) -> None:
    assert model_years(vin, light_vehicle=True) == years


def test_other_vehicles_keep_both_cycles_newest_first_unless_in_the_future() -> None:
    today = datetime(2026, 11, 23, tzinfo=UTC)
    assert model_years("1XKAD49X0KJ000000", light_vehicle=False, today=today) == (2019, 1989)
    # W is 1998 or 2028: 2028 lies beyond next year, so only 1998 remains.
    assert model_years("1XKAD49X0WJ000000", light_vehicle=False, today=today) == (1998,)


@pytest.mark.parametrize("char", ["U", "Z", "0"])
def test_unused_year_characters_give_no_year(char: str) -> None:
    assert model_years(f"5FNYF5H59{char}B011946", light_vehicle=True) == ()


def test_alphabet_errors_name_each_position() -> None:
    assert alphabet_errors("1HGCM8263IA0O4352") == [(10, "I"), (13, "O")]
    assert alphabet_errors("1HGCM82633A004352") == []
