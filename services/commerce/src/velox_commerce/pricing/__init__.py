"""The commerce pricing domain: pure functions from a cart to its totals.

No database, HTTP or clock: callers load the lines, promotions, rates and gift cards,
pass them in a :class:`PricingInput` with ``now``, and get :class:`Totals` back from
:func:`compute_totals`, the one place totals are computed. Amounts are ``int`` minor
units; rates are basis points.
"""

from velox_commerce.pricing.calculator import compute_totals
from velox_commerce.pricing.model import (
    AppliedGiftCard,
    AppliedPromotion,
    GiftCard,
    LineInput,
    LineTotals,
    PricingInput,
    PricingProblem,
    ProblemCode,
    Promotion,
    PromotionKind,
    ShippingRate,
    TaxRate,
    Totals,
)
from velox_commerce.pricing.money import (
    UnknownCurrency,
    allocate,
    format_minor,
    minor_units,
    round_minor,
    round_ratio,
)
from velox_commerce.pricing.shipping import shipping_quote
from velox_commerce.pricing.tax import TaxProvider

__all__ = [
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
