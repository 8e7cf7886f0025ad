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

A refund asked for with an ``Idempotency-Key`` keeps it on its row, unique per account
(migration 0008). The endpoint takes the key first (:func:`velox_commerce.idempotency.once`:
copies wait for the first request and replay its answer); the row holds the key even
where that answer is gone: a request with the key finds the first refund instead of
making a second (:class:`RefundKeyUsed`), and its caller answers that one.

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

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
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
    "RefundKeyUsed",
    "RefundSplit",
    "breakdown_after",
    "credit_gift_cards",
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


class RefundKeyUsed(Exception):
    """Another request already made the refund of this ``Idempotency-Key`` (committed
    while this one waited); nothing was written, the caller answers that refund."""

    def __init__(self, refund: Refund) -> None:
        super().__init__(f"Refund {refund.id} was made with this Idempotency-Key.")
        self.refund = refund


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


async def credit_gift_cards(
    cards: GiftCardRepository, order_id: str, amounts: Mapping[str, int]
) -> None:
    """Give the gift cards that paid ``order_id`` back ``amounts`` (card id -> minor
    units): :meth:`GiftCardRepository.credit`, the cards in id order. A card no longer
    in the store is a 409 (cards go only with their store, and its orders with them)."""
    missing = sorted(set(amounts) - await cards.credit(amounts))
    if missing:
        raise StateConflict(
            f"Gift card {missing[0]} that paid order {order_id} is gone.",
            extensions={"gift_card_id": missing[0]},
        )


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
        self.account_id = store.account_id
        self.cards = GiftCardRepository(session, store)

    async def keyed(self, key: str) -> Refund | None:
        """The account's refund made with the ``Idempotency-Key`` ``key``, if any."""
        return await self.session.scalar(
            select(Refund).where(
                Refund.account_id == self.account_id, Refund.idempotency_key == key
            )
        )

    async def record(
        self,
        order: Order,
        payment: Payment | None,
        split: RefundSplit,
        reason: str | None,
        *,
        idempotency_key: str | None = None,
    ) -> Refund:
        """Add the refund row, credit the gift cards and count the payment's part as
        refunded; the order must be locked by the caller. The row goes first, so an
        ``idempotency_key`` that another request's refund holds (the key's unique index
        waits for that request and refuses the row once it commits) raises
        :class:`RefundKeyUsed` with nothing written."""
        refund = Refund(
            id=new_id("ref"),
            account_id=order.account_id,
            order_id=order.id,
            payment_id=payment.id if split.payment and payment is not None else None,
            amount=split.total,
            payment_amount=split.payment,
            gift_cards=[card.as_dict() for card in split.gift_cards],
            reason=reason,
            idempotency_key=idempotency_key,
        )
        await self._add(refund)
        await self._credit_cards(order, split)
        if split.payment:
            assert payment is not None  # split_refund gives a payment part only with one
            payment.amount_refunded += split.payment
            full = payment.amount_refunded >= payment.amount_captured
            payment.status = "refunded" if full else "partially_refunded"
            payment.updated_at = func.now()
            order.payment_status = payment.status
        await self.session.flush()
        return refund

    async def _add(self, refund: Refund) -> None:
        key = refund.idempotency_key
        try:
            async with self.session.begin_nested():
                self.session.add(refund)
                await self.session.flush()
        except IntegrityError as exc:
            if key is None or "uq_refunds_account_idempotency_key" not in str(exc.orig):
                raise
            first = await self.keyed(key)  # committed: the index waited for it
            if first is None:
                raise
            raise RefundKeyUsed(first) from None

    async def _credit_cards(self, order: Order, split: RefundSplit) -> None:
        if not split.gift_cards:
            return
        await credit_gift_cards(self.cards, order.id, {c.id: c.amount for c in split.gift_cards})
        order.breakdown = breakdown_after(order.breakdown, split)
        order.gift_card_total -= split.gift_card_total
