"""Small builders for pricing inputs: a cart in a line, defaults for everything else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from velox_commerce.pricing import (
    GiftCard,
    LineInput,
    PricingInput,
    Promotion,
    ShippingRate,
    TaxRate,
    Totals,
    compute_totals,
)

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
VAT_20 = TaxRate("VAT", 2000)


def line(
    line_id: str = "l1",
    unit_price: int = 1000,
    quantity: int = 1,
    *,
    product: str | None = None,
    categories: tuple[str, ...] = (),
    weight: int = 0,
    tax_code: str = "standard",
) -> LineInput:
    return LineInput(
        line_id=line_id,
        variant_id=f"v-{line_id}",
        product_id=product or f"p-{line_id}",
        quantity=quantity,
        unit_price=unit_price,
        category_ids=categories,
        weight_grams=weight,
        tax_code=tax_code,
    )


def cart(
    *lines: LineInput,
    currency: str = "USD",
    inclusive: bool = False,
    taxes: tuple[TaxRate, ...] = (),
    promotions: tuple[Promotion, ...] = (),
    coupons: tuple[str, ...] = (),
    shipping: ShippingRate | None = None,
    gift_cards: tuple[GiftCard, ...] = (),
    now: datetime = NOW,
) -> PricingInput:
    return PricingInput(
        currency=currency,
        lines=lines,
        tax_inclusive=inclusive,
        tax_rates=taxes,
        promotions=promotions,
        coupon_codes=coupons,
        shipping=shipping,
        gift_cards=gift_cards,
        now=now,
    )


def totals(*lines: LineInput, **options: Any) -> Totals:
    return compute_totals(cart(*lines, **options))


def problem_codes(result: Totals) -> list[tuple[str, str]]:
    return [(problem.code, problem.ref) for problem in result.problems]
