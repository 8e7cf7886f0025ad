"""The one place a cart's totals are computed: :func:`compute_totals`.

Pure: it reads only its :class:`~velox_commerce.pricing.model.PricingInput` (``now``
included) and never touches a database, clock or network. In order:

1. Promotions qualify and coupons are checked (:mod:`.promotions`).
2. Non-shipping promotions reduce the lines (:mod:`.discounts`).
3. Shipping is priced on the cart's weight or its subtotal after discounts
   (:mod:`.shipping`); ``free_shipping`` promotions then take it off
   (``shipping_discount``). An unavailable method charges nothing and reports
   ``shipping-unavailable`` (the checkout must not accept it).
4. Tax, **rounded per line and per rate** (half up), as Shopify and Saleor do: each line's
   amount after discounts is taxed by every rate of its ``tax_code`` separately, and the
   shipping after its discount by every rate whose ``tax_code`` is the method's. A
   tax-exclusive store adds ``round(amount * rate_bp / 10000)``; a tax-inclusive store
   extracts ``round(amount * rate_bp / (10000 + sum of the item's rate_bp))`` from the
   price, so the total does not change. Rates are simple (not compounded); the summed
   per-line taxes can differ by a minor unit or two from taxing the cart's sum once, and
   that is intended: each line's tax is what an invoice line shows.
5. Non-combinable promotions: if one qualifies, the cart gets either all combinable
   promotions together or one non-combinable promotion alone, whichever gives the lowest
   total (a tie keeps the combinable ones, then the earlier promotion). A coupon left out
   is reported as ``coupon-not-combinable``. ``free_shipping`` promotions stay out of this
   rule and always apply.
6. Gift cards pay the total after tax (:mod:`.gift_cards`).

``total`` is ``subtotal - discount_total + shipping_total - shipping_discount`` plus
``tax_total`` in a tax-exclusive store; it equals the sum of the line totals plus the
shipping charged (and its tax when exclusive). ``amount_due`` is ``total`` less the gift
cards. ``taxes`` sums the tax per rate name, in the order of ``tax_rates``, leaving out
rates that came to nothing. Applied automatic promotions are listed only when they took
something off; an accepted coupon is always listed, with its amount (possibly 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from velox_commerce.pricing.discounts import LineDiscounts, apply_line_promotions
from velox_commerce.pricing.gift_cards import apply_gift_cards
from velox_commerce.pricing.model import (
    FULL_BP,
    AppliedPromotion,
    LineTotals,
    PricingInput,
    PricingProblem,
    Promotion,
    TaxRate,
    Totals,
)
from velox_commerce.pricing.money import minor_units, round_ratio
from velox_commerce.pricing.promotions import Qualified, qualify
from velox_commerce.pricing.shipping import shipping_quote

__all__ = ["compute_totals"]


def compute_totals(data: PricingInput) -> Totals:
    """Price the cart: lines, promotions, shipping, tax and gift cards.

    Raises :class:`~velox_commerce.pricing.money.UnknownCurrency` for a currency that is
    not ISO 4217; every other outcome (a bad coupon, say) is a problem in the result.
    """
    minor_units(data.currency)
    subtotal = sum(line.subtotal for line in data.lines)
    qualified = qualify(
        data.promotions, data.coupon_codes, currency=data.currency, subtotal=subtotal, now=data.now
    )
    options = _options(qualified.promotions)
    priced = [_price(data, option) for option in options]
    best = min(range(len(priced)), key=lambda k: priced[k].total)
    chosen, option = priced[best], options[best]
    cards, card_problems = apply_gift_cards(
        data.gift_cards, currency=data.currency, due=chosen.total, now=data.now
    )
    gift_card_total = sum(card.amount for card in cards)
    problems = (
        *qualified.problems,
        *_dropped_coupons(qualified, option),
        *chosen.problems,
        *card_problems,
    )
    return Totals(
        currency=data.currency,
        lines=chosen.lines,
        subtotal=subtotal,
        discount_total=sum(line.discount for line in chosen.lines),
        shipping_total=chosen.shipping_total,
        shipping_discount=chosen.shipping_discount,
        tax_total=chosen.tax.total,
        tax_inclusive=data.tax_inclusive,
        total=chosen.total,
        gift_card_total=gift_card_total,
        amount_due=chosen.total - gift_card_total,
        promotions=_applied(qualified, option, chosen),
        gift_cards=cards,
        taxes=chosen.tax.by_name(),
        problems=problems,
    )


class _TaxBook:
    """Taxes items per rate, rounding each item's tax per rate, and keeps the sums."""

    def __init__(self, rates: Sequence[TaxRate], *, inclusive: bool) -> None:
        self.rates = rates
        self.inclusive = inclusive
        self.sums: dict[str, int] = dict.fromkeys((rate.name for rate in rates), 0)

    def charge(self, amount: int, tax_code: str) -> int:
        """The tax on ``amount`` (tax-inclusive in an inclusive store) of ``tax_code``."""
        rates = [rate for rate in self.rates if rate.tax_code == tax_code]
        base = FULL_BP + sum(rate.rate_bp for rate in rates) if self.inclusive else FULL_BP
        tax = 0
        for rate in rates:
            part = round_ratio(amount * rate.rate_bp, base)
            self.sums[rate.name] += part
            tax += part
        return tax

    @property
    def total(self) -> int:
        return sum(self.sums.values())

    def by_name(self) -> tuple[tuple[str, int], ...]:
        return tuple((name, amount) for name, amount in self.sums.items() if amount)


@dataclass(frozen=True, slots=True)
class _Priced:
    """One way of pricing the cart (one choice of promotions), before gift cards."""

    lines: tuple[LineTotals, ...]
    discounts: LineDiscounts
    shipping_total: int
    shipping_discounts: Mapping[str, int]
    tax: _TaxBook
    total: int
    problems: tuple[PricingProblem, ...]

    @property
    def shipping_discount(self) -> int:
        return sum(self.shipping_discounts.values())


def _options(promotions: Sequence[Promotion]) -> list[tuple[Promotion, ...]]:
    """The sets of promotions the cart may get (see rule 5), in order of preference."""
    alone = [p for p in promotions if p.kind != "free_shipping" and not p.combinable]
    if not alone:
        return [tuple(promotions)]
    stack = tuple(p for p in promotions if p.combinable or p.kind == "free_shipping")
    shipping = tuple(p for p in promotions if p.kind == "free_shipping")
    return [stack, *((p, *shipping) for p in alone)]


def _price(data: PricingInput, promotions: Sequence[Promotion]) -> _Priced:
    state = apply_line_promotions(data.lines, [p for p in promotions if p.kind != "free_shipping"])
    discounted = sum(state.remaining)
    shipping, problems = _shipping(data, discounted)
    shipping_discounts: dict[str, int] = {}
    for promotion in promotions:
        if promotion.kind == "free_shipping":
            shipping_discounts[promotion.id] = shipping - sum(shipping_discounts.values())
    charged = shipping - sum(shipping_discounts.values())

    book = _TaxBook(data.tax_rates, inclusive=data.tax_inclusive)
    lines = tuple(_line_totals(data, index, state, book) for index in range(len(data.lines)))
    if data.shipping is not None:
        book.charge(charged, data.shipping.tax_code)
    total = discounted + charged + (0 if data.tax_inclusive else book.total)
    return _Priced(lines, state, shipping, shipping_discounts, book, total, problems)


def _shipping(data: PricingInput, discounted: int) -> tuple[int, tuple[PricingProblem, ...]]:
    if data.shipping is None:
        return 0, ()
    weight = sum(line.weight_grams * line.quantity for line in data.lines)
    amount = shipping_quote(data.shipping, weight_grams=weight, subtotal=discounted)
    if amount is None:
        detail = f"{data.shipping.name} does not deliver this cart"
        return 0, (PricingProblem("shipping-unavailable", detail, data.shipping.method_id),)
    return amount, ()


def _line_totals(
    data: PricingInput, index: int, state: LineDiscounts, book: _TaxBook
) -> LineTotals:
    line = data.lines[index]
    amount = state.remaining[index]
    tax = book.charge(amount, line.tax_code)
    return LineTotals(
        line_id=line.line_id,
        quantity=line.quantity,
        unit_price=line.unit_price,
        subtotal=line.subtotal,
        discount=state.discounts[index],
        tax=tax,
        total=amount if data.tax_inclusive else amount + tax,
        promotion_ids=tuple(state.promotion_ids[index]),
    )


def _applied(
    qualified: Qualified, option: Sequence[Promotion], priced: _Priced
) -> tuple[AppliedPromotion, ...]:
    kept = {promotion.id for promotion in option}
    applied: list[AppliedPromotion] = []
    for promotion in (p for p in qualified.promotions if p.id in kept):
        amount = priced.discounts.amounts.get(promotion.id, 0)
        amount += priced.shipping_discounts.get(promotion.id, 0)
        if promotion.id in qualified.entered or amount > 0:
            applied.append(AppliedPromotion(promotion.id, promotion.code, promotion.kind, amount))
    return tuple(applied)


def _dropped_coupons(qualified: Qualified, option: Sequence[Promotion]) -> list[PricingProblem]:
    kept = {promotion.id for promotion in option}
    winner = next((p for p in option if not p.combinable and p.kind != "free_shipping"), None)
    problems = []
    for promotion in qualified.promotions:
        if promotion.id in kept or promotion.id not in qualified.entered:
            continue
        if winner is not None:
            detail = f"promotion {winner.id} cannot be combined and gives a better price"
        else:
            detail = "cannot be combined; the other promotions give a better price"
        ref = qualified.entered[promotion.id]
        problems.append(PricingProblem("coupon-not-combinable", detail, ref))
    return problems
