"""The one refund rule: the card payment first, then the gift cards, the last applied
first, none above what it still pays; the order's breakdown keeps what went back."""

from __future__ import annotations

from typing import Any

import pytest
from velox_commerce.errors import StateConflict
from velox_commerce.orders.refunds import (
    CardShare,
    RefundSplit,
    breakdown_after,
    gift_card_holdings,
    split_refund,
)

A, B = CardShare("gift_a", "AAAAAAAA", 1000), CardShare("gift_b", "BBBBBBBB", 1500)


@pytest.mark.parametrize(
    ("amount", "payment", "cards", "expected"),
    [
        (700, 3500, (A, B), RefundSplit(700)),
        (3500, 3500, (A, B), RefundSplit(3500)),
        (4000, 3500, (A, B), RefundSplit(3500, (CardShare("gift_b", "BBBBBBBB", 500),))),
        (5500, 3500, (A, B), RefundSplit(3500, (B, CardShare("gift_a", "AAAAAAAA", 500)))),
        (6000, 3500, (A, B), RefundSplit(3500, (B, A))),
        (800, 0, (A,), RefundSplit(0, (CardShare("gift_a", "AAAAAAAA", 800),))),
        (2500, 0, (A, CardShare("gift_z", "ZZZZZZZZ", 0), B), RefundSplit(0, (B, A))),
    ],
)
def test_the_payment_goes_first_then_the_cards_last_applied_first(
    amount: int, payment: int, cards: tuple[CardShare, ...], expected: RefundSplit
) -> None:
    split = split_refund(amount, payment, cards)
    assert split == expected and split.total == amount


@pytest.mark.parametrize(
    ("amount", "payment", "cards", "refundable"),
    [(6001, 3500, (A, B), 6000), (1, 0, (), 0), (2501, 0, (A, B), 2500), (10, 9, (), 9)],
)
def test_more_than_the_payment_and_cards_can_give_back_is_refused(
    amount: int, payment: int, cards: tuple[CardShare, ...], refundable: int
) -> None:
    with pytest.raises(StateConflict) as refused:
        split_refund(amount, payment, cards)
    assert refused.value.extensions == {"refundable": refundable}


def test_the_breakdown_keeps_what_each_card_still_pays_and_got_back() -> None:
    breakdown: dict[str, Any] = {"taxes": {"CA": 120}, "gift_cards": [A.as_dict(), B.as_dict()]}
    once = breakdown_after(breakdown, split_refund(2000, 0, gift_card_holdings(breakdown)))
    assert once["gift_cards"] == [
        {**A.as_dict(), "amount": 500, "refunded": 500},
        {**B.as_dict(), "amount": 0, "refunded": 1500},
    ]
    assert once["taxes"] == {"CA": 120} and breakdown["gift_cards"][0]["amount"] == 1000
    twice = breakdown_after(once, split_refund(500, 0, gift_card_holdings(once)))
    assert [(c["amount"], c["refunded"]) for c in twice["gift_cards"]] == [(0, 1000), (0, 1500)]
    with pytest.raises(StateConflict):
        split_refund(1, 0, gift_card_holdings(twice))
