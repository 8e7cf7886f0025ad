"""What the calculator is given and what it returns: frozen, slotted dataclasses.

Amounts are ``int`` minor units of the cart's currency; rates and percentages are basis
points (``1000`` = 10 %). Datetimes must be timezone-aware. Constructors reject values
that can never be right (negative amounts or quantities, rates above 100 %) with
``ValueError``; whether a promotion or gift card applies to a cart is not an error but a
:class:`PricingProblem` in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "FULL_BP",
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
    "TaxRate",
    "Totals",
]

PromotionKind = Literal["percentage", "fixed", "free_shipping", "buy_x_get_y"]
ProblemCode = Literal[
    "invalid-coupon",
    "coupon-expired",
    "coupon-not-started",
    "coupon-usage-limit",
    "coupon-minimum-not-met",
    "coupon-not-combinable",
    "currency-mismatch",
    "gift-card-expired",
    "gift-card-empty",
    "shipping-unavailable",
]
FULL_BP = 10_000  # 100 % in basis points


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _aware(value: datetime | None, name: str) -> None:
    _check(value is None or value.utcoffset() is not None, f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class LineInput:
    """A cart line; ``unit_price`` as shown in the store (tax-inclusive there if it is)."""

    line_id: str
    variant_id: str
    product_id: str
    quantity: int
    unit_price: int
    category_ids: tuple[str, ...] = ()
    weight_grams: int = 0
    tax_code: str = "standard"

    def __post_init__(self) -> None:
        _check(self.quantity >= 0, f"line {self.line_id}: quantity must not be negative")
        _check(self.unit_price >= 0, f"line {self.line_id}: unit_price must not be negative")
        _check(self.weight_grams >= 0, f"line {self.line_id}: weight must not be negative")

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Promotion:
    """A discount; ``code=None`` makes it automatic, otherwise a coupon must name it.

    ``value`` is basis points for ``percentage`` and minor units for ``fixed``. Empty
    ``product_ids`` and ``category_ids`` target every line; otherwise a line is targeted
    when its product or one of its categories is listed.
    """

    id: str
    kind: PromotionKind
    value: int = 0
    code: str | None = None
    min_subtotal: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    times_used: int = 0
    buy_quantity: int = 0
    get_quantity: int = 0
    get_discount_bp: int = FULL_BP
    product_ids: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    combinable: bool = True
    currency: str | None = None

    def __post_init__(self) -> None:
        _check(self.value >= 0, f"promotion {self.id}: value must not be negative")
        if self.kind == "percentage":
            _check(self.value <= FULL_BP, f"promotion {self.id}: percentage above 100 %")
        if self.kind == "buy_x_get_y":
            _check(
                self.buy_quantity >= 1 and self.get_quantity >= 1,
                f"promotion {self.id}: buy_x_get_y needs buy and get quantities of 1 or more",
            )
        _check(0 <= self.get_discount_bp <= FULL_BP, f"promotion {self.id}: get_discount_bp")
        _check(self.min_subtotal >= 0, f"promotion {self.id}: min_subtotal must not be negative")
        _check(self.times_used >= 0, f"promotion {self.id}: times_used must not be negative")
        _check(
            self.usage_limit is None or self.usage_limit >= 0,
            f"promotion {self.id}: usage_limit must not be negative",
        )
        _aware(self.starts_at, f"promotion {self.id}: starts_at")
        _aware(self.ends_at, f"promotion {self.id}: ends_at")


@dataclass(frozen=True, slots=True)
class GiftCard:
    id: str
    code: str
    balance: int
    currency: str
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        _check(self.balance >= 0, f"gift card {self.id}: balance must not be negative")
        _aware(self.expires_at, f"gift card {self.id}: expires_at")


@dataclass(frozen=True, slots=True)
class ShippingRate:
    """A shipping method's price: ``flat`` amount, or ``weight``/``price`` tiers.

    A tier is ``(min, amount)``; the tier with the greatest ``min`` not above the measure
    (grams, or the subtotal after discounts) applies; if none does, the method is not
    available for the cart. ``free_over``: a subtotal after discounts at or above it ships
    free.
    """

    method_id: str
    name: str
    kind: Literal["flat", "weight", "price"]
    amount: int = 0
    tiers: tuple[tuple[int, int], ...] = ()
    free_over: int | None = None
    tax_code: str = "shipping"

    def __post_init__(self) -> None:
        _check(self.amount >= 0, f"shipping {self.method_id}: amount must not be negative")
        _check(
            all(amount >= 0 for _, amount in self.tiers),
            f"shipping {self.method_id}: tier amounts must not be negative",
        )


@dataclass(frozen=True, slots=True)
class TaxRate:
    """One rate of the region chosen for the address, for lines of ``tax_code``."""

    name: str
    rate_bp: int
    tax_code: str = "standard"

    def __post_init__(self) -> None:
        _check(self.rate_bp >= 0, f"tax rate {self.name}: rate must not be negative")


@dataclass(frozen=True, slots=True)
class PricingInput:
    """Everything :func:`~velox_commerce.pricing.calculator.compute_totals` looks at."""

    currency: str
    lines: tuple[LineInput, ...]
    tax_inclusive: bool
    tax_rates: tuple[TaxRate, ...] = ()
    promotions: tuple[Promotion, ...] = ()
    coupon_codes: tuple[str, ...] = ()
    shipping: ShippingRate | None = None
    gift_cards: tuple[GiftCard, ...] = ()
    now: datetime = field(kw_only=True)

    def __post_init__(self) -> None:
        _check(self.now.utcoffset() is not None, "now must be timezone-aware")
        ids = [line.line_id for line in self.lines]
        _check(len(set(ids)) == len(ids), "line ids must be unique")


@dataclass(frozen=True, slots=True)
class LineTotals:
    line_id: str
    quantity: int
    unit_price: int
    subtotal: int
    discount: int
    tax: int
    total: int
    promotion_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    id: str
    code: str | None
    kind: str
    amount: int


@dataclass(frozen=True, slots=True)
class AppliedGiftCard:
    id: str
    code: str
    amount: int


@dataclass(frozen=True, slots=True)
class PricingProblem:
    """Why a coupon, gift card or shipping method was not applied; ``ref`` names it."""

    code: ProblemCode
    detail: str
    ref: str


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    lines: tuple[LineTotals, ...]
    subtotal: int
    discount_total: int
    shipping_total: int
    shipping_discount: int
    tax_total: int
    tax_inclusive: bool
    total: int
    gift_card_total: int
    amount_due: int
    promotions: tuple[AppliedPromotion, ...]
    gift_cards: tuple[AppliedGiftCard, ...]
    taxes: tuple[tuple[str, int], ...]
    problems: tuple[PricingProblem, ...]
