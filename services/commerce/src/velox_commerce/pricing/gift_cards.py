"""Gift cards pay what is due after tax, one after the other in the order given.

A card pays ``min(balance, amount still due)``; once nothing is due the remaining cards
are not used (and not listed). A card is refused with a problem when it has expired
(``now >= expires_at``: ``gift-card-expired``), is in another currency
(``currency-mismatch``) or has no balance (``gift-card-empty``). A card listed twice (same
id) is used once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from velox_commerce.pricing.model import AppliedGiftCard, GiftCard, PricingProblem

__all__ = ["apply_gift_cards"]


def apply_gift_cards(
    cards: Iterable[GiftCard], *, currency: str, due: int, now: datetime
) -> tuple[tuple[AppliedGiftCard, ...], tuple[PricingProblem, ...]]:
    """The cards' payments towards ``due`` and the problems of the cards refused."""
    applied: list[AppliedGiftCard] = []
    problems: list[PricingProblem] = []
    seen: set[str] = set()
    for card in cards:
        if card.id in seen:
            continue
        seen.add(card.id)
        problem = _refusal(card, currency, now)
        if problem is not None:
            problems.append(problem)
        elif due > 0:
            amount = min(card.balance, due)
            due -= amount
            applied.append(AppliedGiftCard(card.id, card.code, amount))
    return tuple(applied), tuple(problems)


def _refusal(card: GiftCard, currency: str, now: datetime) -> PricingProblem | None:
    if card.expires_at is not None and now >= card.expires_at:
        return PricingProblem(
            "gift-card-expired", f"expired at {card.expires_at.isoformat()}", card.code
        )
    if card.currency.upper() != currency.upper():
        return PricingProblem(
            "currency-mismatch", f"the card is in {card.currency.upper()}", card.code
        )
    if card.balance == 0:
        return PricingProblem("gift-card-empty", "the card has no balance left", card.code)
    return None
