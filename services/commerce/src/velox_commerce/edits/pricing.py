"""An edited order's totals, through :func:`velox_commerce.pricing.compute_totals`.

The rule: an edit changes the lines and nothing that was agreed at checkout.

* Lines already on the order keep their unit price, even when their quantity changes
  (reaching a tier does not reprice them). An added line costs what a cart line of it
  would now, by the one rule of :mod:`velox_commerce.pricelists.unit_price`: the lowest of
  the base price in the order's currency, a live sale price and the tier for its quantity
  of the price lists for everyone or for the order customer's group.
* Each promotion the order got (other than free shipping) stays as a fixed amount: what
  it took off at checkout, spread over the edited lines by their amounts and capped by
  their subtotal. A coupon is not re-checked (its window or usage limit may be over).
* Shipping stays what was charged (after any free-shipping discount): a flat amount,
  taxed again by the shipping rates of the address like at checkout.
* Taxes are computed afresh with the store's rates for the shipping address (else the
  store's country), like a cart's.
* Gift cards keep what they paid: the amount due is the new total less the gift cards.
  When the new total is below what the gift cards paid, the difference goes back onto
  them, the card applied last first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from velox_commerce import pricing
from velox_commerce.db.orders import Order

__all__ = ["GiftCardCredit", "breakdown_after", "gift_cards_after", "reprice"]


def _kept_promotions(order: Order) -> tuple[pricing.Promotion, ...]:
    return tuple(
        pricing.Promotion(id=str(p["id"]), kind="fixed", value=int(p["amount"]))
        for p in order.breakdown.get("promotions", [])
        if p.get("kind") != "free_shipping" and int(p.get("amount") or 0) > 0
    )


def _kept_shipping(order: Order) -> pricing.ShippingRate | None:
    if order.shipping_method_id is None and order.shipping_total == 0:
        return None
    return pricing.ShippingRate(
        method_id=order.shipping_method_id or "shipping",
        name=str(order.breakdown.get("shipping_method") or "Shipping"),
        kind="flat",
        amount=order.shipping_total,
    )


def reprice(
    order: Order,
    lines: Sequence[pricing.LineInput],
    tax_rates: Sequence[pricing.TaxRate],
    now: datetime,
) -> pricing.Totals:
    """The order's totals with ``lines`` (see the module docstring for what is kept)."""
    return pricing.compute_totals(
        pricing.PricingInput(
            currency=order.currency,
            lines=tuple(lines),
            tax_inclusive=order.tax_inclusive,
            tax_rates=tuple(tax_rates),
            promotions=_kept_promotions(order),
            shipping=_kept_shipping(order),
            now=now,
        )
    )


@dataclass(frozen=True, slots=True)
class GiftCardCredit:
    """What goes back onto a gift card, and the cards as applied after the edit."""

    credits: tuple[tuple[str, int], ...]
    applied: tuple[dict[str, Any], ...]

    @property
    def total(self) -> int:
        return sum(int(card["amount"]) for card in self.applied)


def gift_cards_after(order: Order, total: int) -> GiftCardCredit:
    """The gift cards' share of ``total`` (they paid at most it), and the credits back."""
    cards = [dict(card) for card in order.breakdown.get("gift_cards", [])]
    excess = max(sum(int(card["amount"]) for card in cards) - total, 0)
    credits: list[tuple[str, int]] = []
    for card in reversed(cards):
        back = min(excess, int(card["amount"]))
        if back > 0:
            card["amount"] = int(card["amount"]) - back
            credits.append((str(card["id"]), back))
            excess -= back
    return GiftCardCredit(tuple(credits), tuple(cards))


def breakdown_after(
    order: Order, totals: pricing.Totals, gift_cards: GiftCardCredit
) -> dict[str, Any]:
    """The order's breakdown with the promotions' new amounts, the new taxes and what the
    gift cards paid."""
    amounts = {p.id: p.amount for p in totals.promotions}
    promotions = [
        p if p.get("kind") == "free_shipping" else {**p, "amount": amounts.get(str(p["id"]), 0)}
        for p in order.breakdown.get("promotions", [])
    ]
    return {
        **order.breakdown,
        "promotions": promotions,
        "taxes": dict(totals.taxes),
        "gift_cards": list(gift_cards.applied),
    }
