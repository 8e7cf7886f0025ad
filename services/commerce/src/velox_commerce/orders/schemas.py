"""Wire models of orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CaptureIn",
    "FulfillmentIn",
    "FulfillmentLineIn",
    "GiftCardRefundOut",
    "OrderLineOut",
    "OrderOut",
    "RefundBreakdown",
    "RefundIn",
    "RefundOut",
]


class OrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    variant_id: str
    product_id: str
    sku: str
    title: str
    quantity: int
    unit_price: int
    subtotal: int
    discount: int
    tax: int
    total: int
    fulfilled_quantity: int


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    provider: str
    intent_id: str
    amount: int
    amount_authorized: int
    amount_captured: int
    amount_refunded: int
    status: str


class OrderOut(BaseModel):
    id: str
    store_id: str
    number: int
    cart_id: str
    customer_id: str | None
    email: str | None
    currency: str
    status: str
    payment_status: str
    subtotal: int
    discount_total: int
    shipping_total: int
    tax_total: int
    gift_card_total: int
    total: int
    amount_due: int
    tax_inclusive: bool
    breakdown: dict[str, Any]
    shipping_address: dict[str, Any] | None
    billing_address: dict[str, Any] | None
    shipping_method_id: str | None
    note: str | None
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    placed_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None


class CaptureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int | None = Field(None, ge=1, description="Less than authorised releases the rest.")


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(
        ge=1,
        le=10**12,
        description="Minor units; at most what the card payment (captured, not refunded) "
        "and the gift cards (what they still pay for the order) can give back.",
    )
    reason: str | None = Field(None, max_length=500)


class GiftCardRefundOut(BaseModel):
    id: str
    code: str
    amount: int


class RefundBreakdown(BaseModel):
    """Where a refund went: the card payment first, then the gift cards."""

    payment: int = Field(description="Refunded through the order's card payment (Stripe).")
    gift_cards: list[GiftCardRefundOut] = Field(
        description="Credited back onto the gift cards that paid, the card applied last first."
    )


class RefundOut(BaseModel):
    id: str
    order_id: str
    amount: int = Field(description="The whole refund: ``breakdown`` says where it went.")
    breakdown: RefundBreakdown
    reason: str | None
    provider_refund_id: str | None
    created_at: datetime


class FulfillmentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=100_000)


class FulfillmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[FulfillmentLineIn] = Field(min_length=1, max_length=250)
    carrier: str | None = Field(None, max_length=100)
    tracking_number: str | None = Field(None, max_length=100)
