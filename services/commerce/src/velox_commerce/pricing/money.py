"""Integer money: currency exponents, half-up rounding and exact allocation.

Every amount in the pricing domain is an ``int`` of minor units (cents, yen, fils); no
float is ever involved. Results of a multiplication by a rate are rounded half up, i.e.
a tie goes away from zero (``2.5 -> 3``, ``-2.5 -> -3``). An amount split over several
lines goes through :func:`allocate`, so the parts always add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "UnknownCurrency",
    "allocate",
    "format_minor",
    "minor_units",
    "round_minor",
    "round_ratio",
]


class UnknownCurrency(ValueError):
    """The code is not an ISO 4217 currency with a minor unit."""


# ISO 4217 (list one, 2024 amendments): the currencies whose exponent is not 2 ...
# fmt: off
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys([
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
        "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
    ], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
# ... and those whose exponent is 2.
_TWO_DECIMALS = frozenset([
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR",
    "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
    "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN",
    "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD",
    "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
])
# fmt: on


def minor_units(currency: str) -> int:
    """The ISO 4217 exponent of ``currency`` (``USD`` 2, ``JPY`` 0, ``KWD`` 3).

    The code is matched without regard to case. Raises :class:`UnknownCurrency` for codes
    that are not currencies, or have no minor unit (``XAU``, ``XXX``).
    """
    code = currency.upper()
    if code in _EXPONENTS:
        return _EXPONENTS[code]
    if code in _TWO_DECIMALS:
        return 2
    raise UnknownCurrency(f"unknown currency {currency!r}")


def format_minor(amount: int, currency: str) -> str:
    """``amount`` minor units written in major units: ``format_minor(-1999, "usd")`` is
    ``"-19.99 USD"``, ``format_minor(500, "JPY")`` is ``"500 JPY"``."""
    exponent = minor_units(currency)
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 10**exponent)
    fraction = f".{minor:0{exponent}d}" if exponent else ""
    return f"{sign}{major}{fraction} {currency.upper()}"


def round_minor(value: Decimal) -> int:
    """``value`` (in minor units) rounded half up to a whole number of minor units."""
    if not isinstance(value, Decimal):
        raise TypeError(f"round_minor takes a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"cannot round {value}")
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def round_ratio(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, exactly (no precision limit).

    The same rounding as :func:`round_minor`, for the usual case of an amount times a rate
    in basis points: ``round_ratio(amount * rate_bp, 10_000)``.
    """
    if denominator == 0:
        raise ZeroDivisionError("round_ratio by zero")
    if (numerator < 0) != (denominator < 0):
        return -round_ratio(abs(numerator), abs(denominator))
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    return quotient + 1 if 2 * remainder >= abs(denominator) else quotient


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally; the parts sum exactly to ``total``.

    Largest remainder method: each part gets the floor of its exact share, then the minor
    units left over go one each to the largest remainders (ties to the earlier index). A
    zero weight gets 0; if every weight is 0 the total is split evenly. A negative total
    is split like its absolute value, negated.
    """
    if any(weight < 0 for weight in weights):
        raise ValueError("allocate weights must not be negative")
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero total over no weights")
        return []
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    basis = list(weights) if any(weights) else [1] * len(weights)
    whole = sum(basis)
    parts = [total * weight // whole for weight in basis]
    remainders = [total * weight % whole for weight in basis]
    left = total - sum(parts)
    for index in sorted(range(len(basis)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts
