"""What an order edit does to the money: the rule, apart from the provider calls.

The buyer cannot be charged more without them (no new authorisation is asked for), so:

* A free order (no payment) must stay free.
* An authorised, not yet captured payment: the new amount due must fit the
  authorisation; staff capture then takes the new amount due (``capture_adjusted``) and
  the rest is released.
* A captured payment: the new amount due must fit what is still held (captured less
  refunded); the difference is refunded at once (``refunded``).
* An edit leaving nothing to pay on an order with a payment is refused: cancelling the
  order is the way to give everything back.

Anything else (a payment pending, failed, voided) refuses the edit with a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from velox_commerce.db.orders import Payment
from velox_commerce.errors import StateConflict

__all__ = ["MoneyPlan", "plan_money"]


@dataclass(frozen=True, slots=True)
class MoneyPlan:
    action: Literal["none", "capture_adjusted", "refunded"]
    amount: int = 0


def _refuse(detail: str, **extensions: int) -> StateConflict:
    return StateConflict(detail, extensions={"reason": "payment", **extensions})


def plan_money(payment: Payment | None, due_before: int, due_after: int) -> MoneyPlan:
    """The payment adjustment for an amount due going from ``due_before`` to
    ``due_after`` (raises a 409 when the payment cannot follow)."""
    if payment is None or payment.status == "not_required":
        if due_after > 0:
            raise _refuse(
                "The order was placed without a payment; an edit cannot make it cost more.",
                amount_due=due_after,
            )
        return MoneyPlan("none")
    if payment.status == "authorized":
        if due_after > payment.amount_authorized:
            raise _refuse(
                f"The edit would cost {due_after}, more than the {payment.amount_authorized}"
                " the buyer authorised.",
                amount_due=due_after,
                authorized=payment.amount_authorized,
            )
        if due_after == 0:
            raise _refuse("The edit leaves nothing to pay; cancel the order instead.")
        if due_after == due_before:
            return MoneyPlan("none")
        return MoneyPlan("capture_adjusted", due_after)
    if payment.status in ("captured", "partially_refunded"):
        held = payment.amount_captured - payment.amount_refunded
        if due_after == 0:
            raise _refuse("The edit leaves nothing to pay; cancel the order instead.")
        if due_after > held:
            raise _refuse(
                f"The edit would cost {due_after}, more than the {held} paid.",
                amount_due=due_after,
                paid=held,
            )
        return (
            MoneyPlan("none", 0) if due_after == held else MoneyPlan("refunded", held - due_after)
        )
    raise _refuse(f"The order's payment is {payment.status}; it cannot be edited.")
