"""What checkout and orders need from a payment provider (Stripe implements it).

An intent is authorised by the buyer's client (Stripe.js confirms it with the
``client_secret``), then captured by us when the order is placed or later by staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["Intent", "IntentStatus", "PaymentProvider", "ProviderRefund"]

IntentStatus = Literal[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "succeeded",
    "canceled",
]


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    amount_capturable: int
    amount_received: int
    client_secret: str | None
    metadata: Mapping[str, str]

    @property
    def authorized(self) -> bool:
        """The buyer's money is held (manual capture) or already taken."""
        return self.status in ("requires_capture", "succeeded")


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    id: str
    amount: int
    status: str


class PaymentProvider(Protocol):
    name: str

    async def create_intent(
        self,
        *,
        amount: int,
        currency: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        receipt_email: str | None = None,
    ) -> Intent: ...

    async def retrieve(self, intent_id: str) -> Intent: ...

    async def update_amount(self, intent_id: str, amount: int) -> Intent: ...

    async def capture(
        self, intent_id: str, *, amount: int | None, idempotency_key: str
    ) -> Intent: ...

    async def cancel(self, intent_id: str) -> Intent: ...

    async def refund(
        self, intent_id: str, *, amount: int, idempotency_key: str, reason: str | None
    ) -> ProviderRefund: ...

    async def aclose(self) -> None: ...
