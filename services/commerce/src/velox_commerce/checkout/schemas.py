"""Wire models of checkout."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from velox_commerce.carts.schemas import CartOut

__all__ = ["CheckoutOut", "PaymentSession"]


class PaymentSession(BaseModel):
    """What the storefront needs to let the buyer authorise the payment (Stripe.js
    ``confirmPayment`` with ``client_secret``)."""

    provider: str
    intent_id: str
    client_secret: str | None
    amount: int
    currency: str
    status: str


class CheckoutOut(BaseModel):
    cart: CartOut
    reserved_until: datetime
    # None when nothing is due (gift cards cover the total): complete at once.
    payment: PaymentSession | None
