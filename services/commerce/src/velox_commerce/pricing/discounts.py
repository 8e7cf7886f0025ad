"""Line discounts: how percentage, fixed and buy-x-get-y promotions reduce lines.

Promotions apply in stages, ``buy_x_get_y`` first, then ``percentage``, then ``fixed``
(input order within a stage), each on what the earlier ones left of its target lines
(see :func:`~velox_commerce.pricing.promotions.is_target`), so no line ever drops below
zero and a percentage never discounts an item that is already free.

* ``buy_x_get_y``: of the target units, one in every ``buy_quantity + get_quantity``
  groups earns ``get_quantity`` discounted units; the discounted units are the cheapest
  target units of the cart (ties: the earlier line), each ``get_discount_bp`` off, the
  amount rounded half up per line. Buy and get units come from the same targets, and the
  customer must have the discounted units in the cart.
* ``percentage``: ``value`` basis points of the target lines' remaining amount, rounded
  half up once for the promotion, then spread over the lines with
  :func:`~velox_commerce.pricing.money.allocate` weighted by each line's remaining
  amount (its subtotal unless an earlier promotion reduced it).
* ``fixed``: ``value`` minor units, at most the target lines' remaining amount, spread
  the same way.

Weighting by the remaining amount rather than the bare subtotal is what guarantees that
no line receives more than it has left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from velox_commerce.pricing.model import FULL_BP, LineInput, Promotion
from velox_commerce.pricing.money import allocate, round_ratio
from velox_commerce.pricing.promotions import is_target

__all__ = ["LineDiscounts", "apply_line_promotions"]

_STAGE = {"buy_x_get_y": 0, "percentage": 1, "fixed": 2}


@dataclass(slots=True)
class LineDiscounts:
    """The running state: per line what is left, discounted and by which promotions."""

    remaining: list[int]
    discounts: list[int]
    promotion_ids: list[list[str]]
    amounts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, lines: Sequence[LineInput]) -> LineDiscounts:
        return cls(
            remaining=[line.subtotal for line in lines],
            discounts=[0] * len(lines),
            promotion_ids=[[] for _ in lines],
        )

    def take(self, index: int, promotion_id: str, amount: int) -> None:
        amount = min(amount, self.remaining[index])
        self.amounts[promotion_id] = self.amounts.get(promotion_id, 0) + amount
        if amount > 0:
            self.remaining[index] -= amount
            self.discounts[index] += amount
            if promotion_id not in self.promotion_ids[index]:
                self.promotion_ids[index].append(promotion_id)

    @property
    def total(self) -> int:
        return sum(self.discounts)


def apply_line_promotions(
    lines: Sequence[LineInput], promotions: Sequence[Promotion]
) -> LineDiscounts:
    """Apply every non-shipping promotion in ``promotions`` to ``lines``."""
    state = LineDiscounts.start(lines)
    for promotion in sorted(promotions, key=lambda p: _STAGE.get(p.kind, len(_STAGE))):
        targets = [i for i, line in enumerate(lines) if is_target(promotion, line)]
        if promotion.kind == "buy_x_get_y":
            _buy_x_get_y(promotion, lines, targets, state)
        elif promotion.kind in ("percentage", "fixed"):
            _spread(promotion, targets, state)
    return state


def _spread(promotion: Promotion, targets: list[int], state: LineDiscounts) -> None:
    weights = [state.remaining[i] for i in targets]
    base = sum(weights)
    if promotion.kind == "percentage":
        amount = round_ratio(base * promotion.value, FULL_BP)
    else:
        amount = min(promotion.value, base)
    state.amounts.setdefault(promotion.id, 0)
    for index, part in zip(targets, allocate(amount, weights), strict=True):
        state.take(index, promotion.id, part)


def _buy_x_get_y(
    promotion: Promotion, lines: Sequence[LineInput], targets: list[int], state: LineDiscounts
) -> None:
    group = promotion.buy_quantity + promotion.get_quantity
    units = sum(lines[i].quantity for i in targets)
    discounted = units // group * promotion.get_quantity
    state.amounts.setdefault(promotion.id, 0)
    for index in sorted(targets, key=lambda i: (lines[i].unit_price, i)):
        if discounted == 0:
            break
        count = min(discounted, lines[index].quantity)
        discounted -= count
        value = count * lines[index].unit_price * promotion.get_discount_bp
        state.take(index, promotion.id, round_ratio(value, FULL_BP))
