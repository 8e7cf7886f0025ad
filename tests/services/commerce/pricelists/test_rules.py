"""The tier ladder and window rules, without the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from velox_commerce.pricelists.rules import MAX_TIERS_PER_VARIANT, ladder_problem
from velox_commerce.pricelists.schemas import check_window


@pytest.mark.parametrize(
    "tiers",
    [{}, {1: 1000}, {1: 1000, 10: 900, 50: 800}, {5: 700, 1: 900}, {1: 500, 10: 500}],
)
def test_ladders_that_never_charge_more_for_more_units_pass(tiers: dict[int, int]) -> None:
    assert ladder_problem(tiers) is None


@pytest.mark.parametrize(
    ("tiers", "words"),
    [
        ({1: 1000, 10: 1100}, "at 10 units 1100 is above 1000 from 1 unit"),
        ({10: 800, 1: 1000, 50: 900}, "at 50 units 900 is above 800 from 10 units"),
        (
            {q: 1000 for q in range(1, MAX_TIERS_PER_VARIANT + 2)},
            f"at most {MAX_TIERS_PER_VARIANT} quantity breaks",
        ),
    ],
)
def test_a_ladder_that_rises_or_is_too_long_is_refused(tiers: dict[int, int], words: str) -> None:
    problem = ladder_problem(tiers)
    assert problem is not None and words in problem


def test_a_window_must_end_after_it_starts() -> None:
    now = datetime.now(UTC)
    check_window(None, None)
    check_window(now, None)
    check_window(now, now + timedelta(seconds=1))
    with pytest.raises(ValueError, match="ends_at must be after starts_at"):
        check_window(now, now)
