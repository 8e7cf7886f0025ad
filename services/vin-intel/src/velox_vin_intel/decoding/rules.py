"""The published VIN rules: alphabet, check digit and model year (49 CFR 565, ISO 3779).

Example::

    >>> check_digit("1M8GDM9AXKP042788")
    'X'
    >>> model_years("5FNYF5H59HB011946", light_vehicle=True)
    (2017,)
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "ALPHABET",
    "TRANSLITERATION",
    "WEIGHTS",
    "YEAR_CODES",
    "alphabet_errors",
    "check_digit",
    "model_years",
]

# 49 CFR 565.15(c): the value each character stands for in the check digit sum.
TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
ALPHABET = frozenset(TRANSLITERATION)
# Position weights 1-17; position 9 (the check digit itself) weighs 0.
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# Position 10: the same character every 30 years. I, O, Q, U, Z and 0 are never used.
_YEAR_SEQUENCE = "ABCDEFGHJKLMNPRSTVWXY123456789"
YEAR_CODES: dict[str, int] = {c: 1980 + i for i, c in enumerate(_YEAR_SEQUENCE)}


def alphabet_errors(vin: str) -> list[tuple[int, str]]:
    """1-based positions and characters that are not in the VIN alphabet."""
    return [(i, c) for i, c in enumerate(vin, start=1) if c not in ALPHABET]


# Per position, each character's value times the position's weight (one lookup each).
_WEIGHTED = tuple({c: v * w for c, v in TRANSLITERATION.items()} for w in WEIGHTS)


def check_digit(vin: str) -> str:
    """The check digit (``0``-``9`` or ``X``) the other 16 characters call for."""
    total = sum(table[c] for table, c in zip(_WEIGHTED, vin, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def model_years(vin: str, *, light_vehicle: bool, today: datetime | None = None) -> tuple[int, ...]:
    """Candidate model years, most likely first; empty for a character no year uses.

    For cars, MPVs and light trucks (GVWR up to 10,000 lb) position 7 settles the 30-year
    cycle: a digit means 1980-2009, a letter 2010-2039 (49 CFR 565.15(a)). For other vehicles
    both cycles remain; the later one first unless it lies beyond next year.
    """
    base = YEAR_CODES.get(vin[9])
    if base is None:
        return ()
    if light_vehicle:
        return (base + 30,) if vin[6].isalpha() else (base,)
    newest = (today or datetime.now(UTC)).year + 1
    later = base + 30
    return (later, base) if later <= newest else (base,)
