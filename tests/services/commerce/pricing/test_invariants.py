"""Invariants over a few hundred random carts (seeded, so a failure reproduces)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Literal

import pytest
from velox_commerce.pricing import (
    GiftCard,
    LineInput,
    PricingInput,
    Promotion,
    PromotionKind,
    ShippingRate,
    TaxRate,
    Totals,
    compute_totals,
    round_minor,
)

from tests.services.commerce.pricing.builders import NOW, cart, line

CURRENCIES = ("USD", "EUR", "JPY", "KWD", "BHD")
PRODUCTS = ("p1", "p2", "p3", "p4")
CATEGORIES = ("c1", "c2", "c3")
CARTS = 400
PROMOTION_KINDS: tuple[PromotionKind, ...] = ("percentage", "fixed", "free_shipping", "buy_x_get_y")
SHIPPING_KINDS: tuple[Literal["flat", "weight", "price"], ...] = ("flat", "weight", "price")


def random_lines(rng: random.Random) -> list[LineInput]:
    return [
        line(
            f"l{i}",
            rng.choice([0, 1, 5, 99, rng.randint(1, 50_000)]),
            rng.choice([0, 1, 1, 2, 3, rng.randint(1, 12)]),
            product=rng.choice(PRODUCTS),
            categories=tuple(rng.sample(CATEGORIES, rng.randint(0, 2))),
            weight=rng.randint(0, 3000),
            tax_code=rng.choice(["standard", "standard", "food", "exempt"]),
        )
        for i in range(rng.randint(0, 6))
    ]


def random_promotion(rng: random.Random, index: int, currency: str) -> Promotion:
    kind = rng.choice(PROMOTION_KINDS)
    return Promotion(
        id=f"promo{index}",
        kind=kind,
        value=rng.randint(0, 10_000) if kind == "percentage" else rng.randint(0, 20_000),
        code=rng.choice([None, None, f"CODE{index}"]),
        min_subtotal=rng.choice([0, 0, rng.randint(0, 30_000)]),
        starts_at=rng.choice([None] * 4 + [NOW - timedelta(days=1), NOW + timedelta(days=1)]),
        ends_at=rng.choice([None] * 4 + [NOW, NOW + timedelta(days=1)]),
        usage_limit=rng.choice([None] * 4 + [0, 5]),
        times_used=rng.randint(0, 6),
        buy_quantity=rng.randint(1, 3),
        get_quantity=rng.randint(1, 2),
        get_discount_bp=rng.choice([10_000, 5000, rng.randint(0, 10_000)]),
        product_ids=tuple(rng.sample(PRODUCTS, rng.choice([0, 0, 1, 2]))),
        category_ids=tuple(rng.sample(CATEGORIES, rng.choice([0, 0, 1]))),
        combinable=rng.random() < 0.75,
        currency=rng.choice([None, None, currency, "USD"]),
    )


def random_shipping(rng: random.Random) -> ShippingRate | None:
    if rng.random() < 0.25:
        return None
    kind = rng.choice(SHIPPING_KINDS)
    tiers = tuple((rng.randint(0, 20_000), rng.randint(0, 3000)) for _ in range(rng.randint(0, 3)))
    return ShippingRate(
        "m",
        "Method",
        kind,
        amount=rng.randint(0, 3000),
        tiers=tiers,
        free_over=rng.choice([None, None, rng.randint(0, 40_000)]),
        tax_code=rng.choice(["shipping", "standard"]),
    )


def random_taxes(rng: random.Random) -> tuple[TaxRate, ...]:
    pool = [
        TaxRate("VAT", rng.choice([2000, 1900, 700])),
        TaxRate("State", 625),
        TaxRate("County", rng.randint(0, 300)),
        TaxRate("Reduced", 500, tax_code="food"),
        TaxRate("Shipping VAT", 2000, tax_code="shipping"),
    ]
    return tuple(rng.sample(pool, rng.randint(0, len(pool))))


def random_cart(rng: random.Random) -> PricingInput:
    currency = rng.choice(CURRENCIES)
    promotions = tuple(random_promotion(rng, i, currency) for i in range(rng.randint(0, 5)))
    codes = [p.code for p in promotions if p.code is not None and rng.random() < 0.8]
    codes += ["NOPE"] if rng.random() < 0.2 else []
    cards = tuple(
        GiftCard(
            f"g{i}",
            f"GIFT{i}",
            rng.randint(0, 30_000),
            rng.choice([currency, currency, "EUR"]),
            expires_at=rng.choice([None, NOW, NOW + timedelta(days=3)]),
        )
        for i in range(rng.randint(0, 3))
    )
    return cart(
        *random_lines(rng),
        currency=currency,
        inclusive=rng.random() < 0.5,
        taxes=random_taxes(rng),
        promotions=promotions,
        coupons=tuple(rng.sample(codes, len(codes))),
        shipping=random_shipping(rng),
        gift_cards=cards,
    )


def carts(seed: int) -> list[tuple[PricingInput, Totals]]:
    rng = random.Random(seed)
    return [(data, compute_totals(data)) for data in (random_cart(rng) for _ in range(CARTS))]


SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", SEEDS)
def test_totals_add_up(seed: int) -> None:
    for data, result in carts(seed):
        tax = 0 if result.tax_inclusive else result.tax_total
        assert result.total == (
            result.subtotal
            - result.discount_total
            + result.shipping_total
            - result.shipping_discount
            + tax
        )
        assert result.subtotal == sum(lt.subtotal for lt in result.lines)
        assert result.discount_total == sum(lt.discount for lt in result.lines)
        assert result.tax_total == sum(amount for _, amount in result.taxes)
        shipping_tax = result.tax_total - sum(lt.tax for lt in result.lines)
        charged = result.shipping_total - result.shipping_discount
        assert result.total == sum(lt.total for lt in result.lines) + charged + (
            0 if data.tax_inclusive else shipping_tax
        )
        assert sum(p.amount for p in result.promotions) == (
            result.discount_total + result.shipping_discount
        )
        assert result.amount_due == result.total - result.gift_card_total
        assert result.gift_card_total == sum(g.amount for g in result.gift_cards)


@pytest.mark.parametrize("seed", SEEDS)
def test_amounts_are_never_negative_and_discounts_stay_within_lines(seed: int) -> None:
    for data, result in carts(seed):
        for given, lt in zip(data.lines, result.lines, strict=True):
            assert lt.line_id == given.line_id
            assert lt.subtotal == given.unit_price * given.quantity
            assert 0 <= lt.discount <= lt.subtotal
            assert lt.tax >= 0
            net = lt.subtotal - lt.discount
            assert lt.total == (net if data.tax_inclusive else net + lt.tax)
            assert lt.tax <= lt.total or not data.tax_inclusive
            assert (lt.discount > 0) <= bool(lt.promotion_ids)
        assert 0 <= result.shipping_discount <= result.shipping_total
        assert min(result.total, result.tax_total, result.amount_due) >= 0
        assert all(amount > 0 for _, amount in result.taxes)
        assert all(p.amount >= 0 for p in result.promotions)
        cards = {card.id: card for card in data.gift_cards}
        assert all(0 < g.amount <= cards[g.id].balance for g in result.gift_cards)


@pytest.mark.parametrize("seed", SEEDS)
def test_tax_is_each_line_times_each_rate_rounded_half_up(seed: int) -> None:
    for data, result in carts(seed):
        for given, lt in zip(data.lines, result.lines, strict=True):
            rates = [r.rate_bp for r in data.tax_rates if r.tax_code == given.tax_code]
            divisor = 10_000 + (sum(rates) if data.tax_inclusive else 0)
            net = Decimal(lt.subtotal - lt.discount)
            assert lt.tax == sum(round_minor(net * bp / divisor) for bp in rates)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_coupon_is_applied_or_explained(seed: int) -> None:
    for data, result in carts(seed):
        applied = {p.code.casefold() for p in result.promotions if p.code is not None}
        explained = {problem.ref.casefold() for problem in result.problems}
        for code in data.coupon_codes:
            assert (code.casefold() in applied) != (code.casefold() in explained)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_non_combinable_promotion_is_applied_alone(seed: int) -> None:
    for data, result in carts(seed):
        promotions = {p.id: p for p in data.promotions}
        applied = [promotions[p.id] for p in result.promotions if p.kind != "free_shipping"]
        if any(not p.combinable for p in applied):
            assert len(applied) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_pricing_is_deterministic(seed: int) -> None:
    first, second = carts(seed), carts(seed)
    assert [r for _, r in first] == [r for _, r in second]
