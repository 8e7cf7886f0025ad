"""Refunds split over what paid an order: its card payment and its gift cards.

One rule for every refund of an order, whoever asks for it (``POST /orders/{id}/refunds``,
a return's refund, a cancellation; an order edit's refund of the difference too, though it
never asks for more than the card payment holds):

* **Card payment first.** The payment gets as much as it can still refund (captured less
  refunded), through the payment provider.
* **Then the gift cards, the card applied last first** (the rule an order edit already
  follows when it gives gift cards back), each at most what it still pays for the order.
* A refund over what the payment and the cards can still give back is refused (409 with
  ``refundable``), and nothing moves.

What a gift card "still pays for the order" is its ``amount`` in the order's
``breakdown["gift_cards"]``: what it paid at checkout, less what edits and refunds gave
back. A refund lowers that amount (and the order's ``gift_card_total``) by what it
credits and adds it to the card's ``refunded``, so no card ever gets back more than it
paid on the order, over any number of refunds. The balance goes up in one atomic
``balance = balance + x``; the refund row (``refunds``) records the split.

Why card first: peers refund to the original payment methods (Shopify gives a gift card
part back to the card it came from) and differ on which goes first (VTEX lets a store
choose "credit card first" or "lowest settled amount first"). Card first gives
the buyer back money that can leave the store, and it is the order an edit already uses
(it gives gift cards back only once the total falls below what they paid). It is also
what makes a return refundable when Stripe cannot take the whole of it back: the rest
goes to the gift cards instead of a 409.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id

from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order, Payment, Refund
from velox_commerce.errors import StateConflict
from velox_commerce.giftcards.repository import GiftCardRepository
from velox_commerce.orders.schemas import GiftCardRefundOut, RefundBreakdown, RefundOut

__all__ = [
    "CardShare",
    "OrderRefunds",
    "RefundSplit",
    "breakdown_after",
    "gift_card_holdings",
    "payment_left",
    "refund_breakdown",
    "refund_out",
    "refunded_total",
    "split_refund",
]

# Payment statuses a refund can go through (a payment only authorised must be captured
# or voided first).
_SETTLED = ("captured", "partially_refunded", "refunded")


@dataclass(frozen=True, slots=True)
class CardShare:
    """An amount of one gift card: what it holds on an order, or what goes back to it."""

    id: str
    code: str
    amount: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "amount": self.amount}


@dataclass(frozen=True, slots=True)
class RefundSplit:
    """Where a refund goes: ``payment`` through the provider, ``gift_cards`` credited."""

    payment: int
    gift_cards: tuple[CardShare, ...] = ()

    @property
    def gift_card_total(self) -> int:
        return sum(card.amount for card in self.gift_cards)

    @property
    def total(self) -> int:
        return self.payment + self.gift_card_total


def gift_card_holdings(breakdown: Mapping[str, Any]) -> tuple[CardShare, ...]:
    """The order's gift cards with what each still pays for it, in the order applied."""
    return tuple(
        CardShare(str(card["id"]), str(card["code"]), int(card["amount"]))
        for card in breakdown.get("gift_cards", [])
    )


def payment_left(payment: Payment | None, order_id: str) -> int:
    """What the order's payment can still refund (0 without one); 409 for a payment not
    captured yet."""
    if payment is None:
        return 0
    if payment.status not in _SETTLED:
        raise StateConflict(f"Order {order_id} has no captured payment to refund.")
    return max(payment.amount_captured - payment.amount_refunded, 0)


def split_refund(amount: int, payment: int, cards: Sequence[CardShare]) -> RefundSplit:
    """Split ``amount`` over the ``payment`` still refundable and the gift ``cards`` (as
    applied, with what each still holds): the payment first, then the cards, the last
    applied first. Over what they can give back is a 409 with ``refundable``."""
    refundable = payment + sum(card.amount for card in cards)
    if amount > refundable:
        raise StateConflict(
            f"At most {refundable} can still be refunded.",
            extensions={"refundable": refundable},
        )
    to_payment = min(amount, payment)
    rest = amount - to_payment
    credits: list[CardShare] = []
    for card in reversed(cards):
        back = min(rest, card.amount)
        if back > 0:
            credits.append(CardShare(card.id, card.code, back))
            rest -= back
    return RefundSplit(to_payment, tuple(credits))


def breakdown_after(breakdown: Mapping[str, Any], split: RefundSplit) -> dict[str, Any]:
    """The order's breakdown once ``split``'s gift card part went back: each credited
    card pays that much less for the order (``amount``) and has it in ``refunded``."""
    credits = {card.id: card.amount for card in split.gift_cards}

    def after(card: Mapping[str, Any]) -> dict[str, Any]:
        back = credits.get(str(card["id"]), 0)
        if not back:
            return dict(card)
        return {
            **card,
            "amount": int(card["amount"]) - back,
            "refunded": int(card.get("refunded", 0)) + back,
        }

    return {**breakdown, "gift_cards": [after(card) for card in breakdown.get("gift_cards", [])]}


def refunded_total(order: Order, payment: Payment | None) -> int:
    """Everything the order gave back so far: its payment's refunds and its gift cards'."""
    cards = sum(int(card.get("refunded", 0)) for card in order.breakdown.get("gift_cards", []))
    return (payment.amount_refunded if payment is not None else 0) + cards


def refund_breakdown(refund: Refund) -> RefundBreakdown:
    return RefundBreakdown(
        payment=refund.payment_amount,
        gift_cards=[GiftCardRefundOut.model_validate(card) for card in refund.gift_cards],
    )


def refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.id,
        order_id=refund.order_id,
        amount=refund.amount,
        breakdown=refund_breakdown(refund),
        reason=refund.reason,
        provider_refund_id=refund.provider_refund_id,
        created_at=refund.created_at,
    )


class OrderRefunds:
    """Writes a refund's split (the provider's part is the caller's call, made after)."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.cards = GiftCardRepository(session, store)

    async def record(
        self, order: Order, payment: Payment | None, split: RefundSplit, reason: str | None
    ) -> Refund:
        """Credit the gift cards, count the payment's part as refunded and add the refund
        row; the order must be locked by the caller."""
        await self._credit_cards(order, split)
        if split.payment:
            assert payment is not None  # split_refund gives a payment part only with one
            payment.amount_refunded += split.payment
            full = payment.amount_refunded >= payment.amount_captured
            payment.status = "refunded" if full else "partially_refunded"
            payment.updated_at = func.now()
            order.payment_status = payment.status
        refund = Refund(
            id=new_id("ref"),
            account_id=order.account_id,
            order_id=order.id,
            payment_id=payment.id if split.payment and payment is not None else None,
            amount=split.total,
            payment_amount=split.payment,
            gift_cards=[card.as_dict() for card in split.gift_cards],
            reason=reason,
        )
        self.session.add(refund)
        await self.session.flush()
        return refund

    async def _credit_cards(self, order: Order, split: RefundSplit) -> None:
        if not split.gift_cards:
            return
        credits = {card.id: card.amount for card in split.gift_cards}
        missing = sorted(set(credits) - await self.cards.credit(credits))
        if missing:  # cards go only with their store, and its orders with them
            raise StateConflict(
                f"Gift card {missing[0]} that paid order {order.id} is gone.",
                extensions={"gift_card_id": missing[0]},
            )
        order.breakdown = breakdown_after(order.breakdown, split)
        order.gift_card_total -= split.gift_card_total
