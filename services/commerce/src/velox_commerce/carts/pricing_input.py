"""From a cart's rows to the pricing calculator's input: the one bridge between the
database and :mod:`velox_commerce.pricing`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from velox_commerce import pricing
from velox_commerce.carts.repository import LineRow
from velox_commerce.db.checkout import GiftCard, Promotion, ShippingMethod, TaxRate

__all__ = [
    "build",
    "gift_card_input",
    "line_inputs",
    "promotion_input",
    "shipping_input",
    "tax_input",
]


def promotion_input(row: Promotion) -> pricing.Promotion:
    return pricing.Promotion(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        value=row.value,
        code=row.code,
        min_subtotal=row.min_subtotal,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        usage_limit=row.usage_limit,
        times_used=row.times_used,
        buy_quantity=row.buy_quantity,
        get_quantity=row.get_quantity,
        get_discount_bp=row.get_discount_bp,
        product_ids=tuple(row.product_ids),
        category_ids=tuple(row.category_ids),
        combinable=row.combinable,
        currency=row.currency,
    )


def tax_input(row: TaxRate) -> pricing.TaxRate:
    # Stored as a percentage with four decimals; the calculator takes whole basis points,
    # rounded half up like every amount in pricing (6.625 % -> 663, not 662).
    rate_bp = int((Decimal(row.rate) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return pricing.TaxRate(name=row.name, rate_bp=rate_bp, tax_code=row.tax_code)


def shipping_input(row: ShippingMethod) -> pricing.ShippingRate:
    return pricing.ShippingRate(
        method_id=row.id,
        name=row.name,
        kind=row.kind,  # type: ignore[arg-type]
        amount=row.amount,
        tiers=tuple((int(t[0]), int(t[1])) for t in row.tiers),
        free_over=row.free_over,
    )


def gift_card_input(row: GiftCard) -> pricing.GiftCard:
    return pricing.GiftCard(
        id=row.id,
        code=row.code,
        balance=row.balance,
        currency=row.currency,
        expires_at=row.expires_at,
    )


def line_inputs(lines: Sequence[LineRow]) -> tuple[pricing.LineInput, ...]:
    return tuple(
        pricing.LineInput(
            line_id=line.line_id,
            variant_id=line.variant_id,
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=line.price if line.price is not None else line.quoted_price,
            category_ids=line.category_ids,
            weight_grams=line.weight_grams,
        )
        for line in lines
    )


def build(
    *,
    currency: str,
    tax_inclusive: bool,
    lines: Sequence[LineRow],
    promotions: Sequence[Promotion],
    coupon_codes: Sequence[str],
    tax_rates: Sequence[TaxRate],
    shipping: ShippingMethod | None,
    gift_cards: Sequence[GiftCard],
    now: datetime,
) -> pricing.PricingInput:
    return pricing.PricingInput(
        currency=currency,
        lines=line_inputs(lines),
        tax_inclusive=tax_inclusive,
        tax_rates=tuple(tax_input(r) for r in tax_rates),
        promotions=tuple(promotion_input(p) for p in promotions),
        coupon_codes=tuple(coupon_codes),
        shipping=shipping_input(shipping) if shipping is not None else None,
        gift_cards=tuple(gift_card_input(g) for g in gift_cards),
        now=now,
    )
