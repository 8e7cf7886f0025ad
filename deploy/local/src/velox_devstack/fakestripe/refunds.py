"""Refunds of captured charges: partial or whole, never beyond what was captured.

Deliberate difference from Stripe: an uncaptured charge cannot be refunded here (Stripe
releases it); cancel its PaymentIntent instead. Refunds succeed at once.
"""

from __future__ import annotations

from typing import Any

from velox_devstack.fakestripe.forms import metadata
from velox_devstack.fakestripe.payments import positive
from velox_devstack.fakestripe.store import ApiError, Store, now
from velox_devstack.fakestripe.webhooks import Webhooks

__all__ = ["Refunds"]

Params = dict[str, Any]
REASONS = ("duplicate", "fraudulent", "requested_by_customer")
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


def _money(amount: int, currency: str) -> str:
    """How Stripe's refund errors print an amount: ``$20.00``."""
    return f"{_SYMBOLS.get(currency, currency.upper() + ' ')}{amount / 100:.2f}"


class Refunds:
    """``POST /v1/refunds``; reading them back is the generic retrieve and list."""

    def __init__(self, store: Store, webhooks: Webhooks) -> None:
        self.store = store
        self.webhooks = webhooks

    def _charge(self, p: Params) -> dict[str, Any]:
        """The captured charge a refund request names, directly or by its PaymentIntent."""
        intent_id, charge_id = p.get("payment_intent"), p.get("charge")
        if not intent_id and not charge_id:
            raise ApiError(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
            )
        if intent_id:
            intent = self.store.get("payment_intent", intent_id, "payment_intent")
            if charge_id and charge_id != intent["latest_charge"]:
                raise ApiError(
                    400, f"Charge {charge_id} is not {intent_id}'s charge.", param="charge"
                )
            charge_id = intent["latest_charge"]
            if intent["status"] != "succeeded" or charge_id is None:
                raise ApiError(
                    400,
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                    "refund.",
                    code="charge_not_refundable",
                    param="payment_intent",
                )
        charge = self.store.get("charge", str(charge_id), "charge")
        if charge["status"] != "succeeded" or not charge["captured"]:
            raise ApiError(
                400,
                f"Charge {charge['id']} has no captured amount to refund.",
                code="charge_not_refundable",
                param="charge",
            )
        return charge

    def _amount(self, p: Params, charge: dict[str, Any]) -> int:
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise ApiError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = remaining if p.get("amount") is None else positive(p["amount"], "amount")
        if amount > remaining:  # Stripe gives this refusal no code
            currency = charge["currency"]
            raise ApiError(
                400,
                f"Refund amount ({_money(amount, currency)}) is greater than unrefunded "
                f"amount on charge ({_money(remaining, currency)})",
                param="amount",
            )
        return amount

    async def create_refund(self, p: Params, _: dict[str, str]) -> dict[str, Any]:
        charge = self._charge(p)
        amount = self._amount(p, charge)
        reason = p.get("reason") or None
        if reason is not None and reason not in REASONS:
            raise ApiError(
                400, f"Invalid reason: must be one of {', '.join(REASONS)}", param="reason"
            )
        refund = self.store.add(
            "refund",
            {
                "id": self.store.new_id("re"),
                "object": "refund",
                "amount": amount,
                "balance_transaction": self.store.new_id("txn"),
                "charge": charge["id"],
                "created": now(),
                "currency": charge["currency"],
                "destination_details": {"type": "card", "card": {"type": "refund"}},
                "metadata": metadata(p),
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "receipt_number": None,
                "source_transfer_reversal": None,
                "status": "succeeded",
                "transfer_reversal": None,
            },
        )
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        self.webhooks.emit("refund.created", refund)
        self.webhooks.emit("charge.refunded", charge, previous)
        return refund
