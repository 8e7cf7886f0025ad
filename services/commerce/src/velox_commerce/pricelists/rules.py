"""The shape of a variant's tiers in a price list, checked without the database.

Tiers are quantity breaks: ``{min_quantity: unit amount}``. A line of ``n`` units gets
the amount of the greatest ``min_quantity`` not above ``n``, so breaks are unique by
construction (a mapping), and buying more must never cost more per unit: the amounts,
read by ascending ``min_quantity``, never rise.

Example::

    ladder_problem({1: 1000, 10: 900, 50: 800})  # None
    ladder_problem({1: 1000, 10: 1100})  # "at 10 units 1100 is above 1000 from 1 unit"
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MAX_TIERS_PER_VARIANT", "ladder_problem"]

MAX_TIERS_PER_VARIANT = 50


def ladder_problem(tiers: Mapping[int, int]) -> str | None:
    """Why ``tiers`` (min quantity -> unit amount) are not a valid ladder, else None."""
    if len(tiers) > MAX_TIERS_PER_VARIANT:
        return f"at most {MAX_TIERS_PER_VARIANT} quantity breaks per variant ({len(tiers)} given)"
    previous: tuple[int, int] | None = None
    for quantity in sorted(tiers):
        amount = tiers[quantity]
        if previous is not None and amount > previous[1]:
            below, was = previous
            unit = "unit" if below == 1 else "units"
            return (
                f"at {quantity} units {amount} is above {was} from {below} {unit}: "
                "a larger quantity never costs more per unit"
            )
        previous = (quantity, amount)
    return None
