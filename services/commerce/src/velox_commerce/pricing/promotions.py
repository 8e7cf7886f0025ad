"""Which promotions a cart qualifies for, and why a coupon does not.

Every entered coupon code (matched without regard to case or surrounding spaces; a code
entered twice counts once) must name a promotion, else ``invalid-coupon``. A promotion
that carries a code applies only when the cart entered that code; automatic promotions
(``code=None``) need no code. Both then pass the same checks, in this order, and the
first failure is reported for a coupon and silently skips an automatic promotion:

* ``coupon-not-started``: ``now < starts_at`` (the window opens at ``starts_at``);
* ``coupon-expired``: ``now >= ends_at`` (the window closes at ``ends_at``);
* ``coupon-usage-limit``: ``times_used >= usage_limit``;
* ``currency-mismatch``: the promotion names a currency other than the cart's (a
  promotion with a currency applies only in it: its amounts are in that currency);
* ``coupon-minimum-not-met``: the cart subtotal before discounts is below
  ``min_subtotal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from velox_commerce.pricing.model import LineInput, PricingProblem, ProblemCode, Promotion
from velox_commerce.pricing.money import format_minor

__all__ = ["Qualified", "is_target", "normalise_code", "qualify"]


@dataclass(frozen=True, slots=True)
class Qualified:
    """The promotions that apply (input order) and the problems of the coupons that don't.

    ``entered`` maps the id of each applying coupon promotion to the code as entered.
    """

    promotions: tuple[Promotion, ...]
    problems: tuple[PricingProblem, ...]
    entered: Mapping[str, str]


def normalise_code(code: str) -> str:
    return code.strip().casefold()


def is_target(promotion: Promotion, line: LineInput) -> bool:
    """Whether ``promotion`` targets ``line`` (by product or by category)."""
    if not promotion.product_ids and not promotion.category_ids:
        return True
    return line.product_id in promotion.product_ids or any(
        category in promotion.category_ids for category in line.category_ids
    )


def qualify(
    promotions: Iterable[Promotion],
    coupon_codes: Iterable[str],
    *,
    currency: str,
    subtotal: int,
    now: datetime,
) -> Qualified:
    """Sort the promotions handed in into those that apply and coupon problems."""
    unique = list({promotion.id: promotion for promotion in promotions}.values())
    entered: dict[str, str] = {}
    for typed in coupon_codes:
        entered.setdefault(normalise_code(typed), typed)
    by_code: dict[str, list[Promotion]] = {}
    for promotion in unique:
        if promotion.code is not None:
            by_code.setdefault(normalise_code(promotion.code), []).append(promotion)

    applying: set[str] = set()
    refs: dict[str, str] = {}
    problems: list[PricingProblem] = []
    for promotion in unique:
        if promotion.code is None and _failure(promotion, currency, subtotal, now) is None:
            applying.add(promotion.id)
    for key, typed in entered.items():
        if key not in by_code:
            problems.append(
                PricingProblem("invalid-coupon", f"no promotion has code {typed}", typed)
            )
            continue
        for promotion in by_code[key]:
            failure = _failure(promotion, currency, subtotal, now)
            if failure is None:
                applying.add(promotion.id)
                refs[promotion.id] = typed
            else:
                problems.append(PricingProblem(failure[0], failure[1], typed))
    chosen = tuple(promotion for promotion in unique if promotion.id in applying)
    return Qualified(chosen, tuple(problems), refs)


def _failure(
    promotion: Promotion, currency: str, subtotal: int, now: datetime
) -> tuple[ProblemCode, str] | None:
    if promotion.starts_at is not None and now < promotion.starts_at:
        return "coupon-not-started", f"valid from {promotion.starts_at.isoformat()}"
    if promotion.ends_at is not None and now >= promotion.ends_at:
        return "coupon-expired", f"ended at {promotion.ends_at.isoformat()}"
    if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
        return "coupon-usage-limit", "this code has been used as often as allowed"
    if promotion.currency is not None and promotion.currency.upper() != currency.upper():
        return "currency-mismatch", f"valid only for carts in {promotion.currency.upper()}"
    if subtotal < promotion.min_subtotal:
        minimum = format_minor(promotion.min_subtotal, currency)
        return "coupon-minimum-not-met", f"needs a subtotal of at least {minimum}"
    return None
