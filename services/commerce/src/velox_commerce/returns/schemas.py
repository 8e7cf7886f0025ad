"""Wire models of returns (RMAs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from velox_commerce.orders.schemas import RefundBreakdown

__all__ = [
    "ReceiveIn",
    "ReturnCreate",
    "ReturnLineIn",
    "ReturnLineOut",
    "ReturnOut",
    "ReturnRefundIn",
    "ReturnStatus",
]

ReturnStatus = Literal["requested", "approved", "rejected", "received", "refunded", "closed"]


class ReturnLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_line_id: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=100_000)
    restock: bool = Field(True, description="Put the units back on hand when received.")
    reason: str | None = Field(None, max_length=500)


class ReturnCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[ReturnLineIn] = Field(min_length=1, max_length=250)
    reason: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _each_line_once(self) -> ReturnCreate:
        ids = [line.order_line_id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("each order line may appear once in a return")
        return self


class ReceiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_id: str | None = Field(
        None,
        max_length=40,
        description="Where restocked units go (default: the store's first location by priority).",
    )
    restock: bool = Field(
        True, description="False receives the goods without restocking any line (damaged)."
    )


class ReturnRefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int | None = Field(
        None,
        ge=1,
        le=10**12,
        description="Minor units; by default the returned lines' share of what they cost "
        "(discounts and tax included, shipping not). Split like any order refund: the card "
        "payment first, the rest back onto the gift cards.",
    )
    reason: str | None = Field(None, max_length=500)


class ReturnLineOut(BaseModel):
    id: str
    order_line_id: str
    variant_id: str
    sku: str
    title: str
    quantity: int
    restock: bool
    reason: str | None


class ReturnOut(BaseModel):
    id: str
    store_id: str
    order_id: str
    status: ReturnStatus
    reason: str | None
    lines: list[ReturnLineOut]
    location_id: str | None = Field(description="Where the goods were restocked (if any).")
    currency: str
    refund_amount: int | None = Field(description="Minor units of ``currency`` refunded.")
    refund_id: str | None = Field(description="The order refund (`ref_...`) it made.")
    refund_breakdown: RefundBreakdown | None = Field(
        description="Where the refund went once refunded: the card payment (``payment``, "
        "through Stripe) and the gift cards credited back (``gift_cards``)."
    )
    created_at: datetime
    updated_at: datetime
