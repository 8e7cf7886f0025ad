"""Wire models of carts and their totals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from velox_commerce.stores.schemas import Currency

__all__ = [
    "Address",
    "AppliedGiftCardOut",
    "AppliedPromotionOut",
    "CartCreate",
    "CartLineIn",
    "CartLineOut",
    "CartLineUpdate",
    "CartOut",
    "CartUpdate",
    "ShippingOption",
    "TotalsOut",
]

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=300)
    line2: str | None = Field(None, max_length=300)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(
        None, max_length=10, description="State or province code (ISO 3166-2 subdivision)."
    )
    postal_code: str | None = Field(None, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    phone: str | None = Field(None, max_length=40)


class CartLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant_id: str = Field(max_length=40)
    quantity: int = Field(ge=1, le=10_000)


class CartLineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=0, le=10_000, description="0 removes the line.")


class CartCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Currency | None = Field(None, description="The store's default if unset.")
    email: EmailStr | None = None
    customer_id: str | None = Field(None, max_length=40)
    lines: list[CartLineIn] = Field(default_factory=list, max_length=250)


class CartUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    customer_id: str | None = Field(None, max_length=40)
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_method_id: str | None = Field(None, max_length=40)
    coupon_codes: list[Code] | None = Field(None, max_length=5)
    gift_card_codes: list[Code] | None = Field(None, max_length=5)


class CartLineOut(BaseModel):
    id: str
    variant_id: str
    product_id: str
    sku: str
    title: str
    quantity: int
    unit_price: int
    # Set when the store changed the price since the line was added (the line now uses
    # the new price; ``previous_unit_price`` is what the buyer saw).
    previous_unit_price: int | None = None
    subtotal: int
    discount: int
    tax: int
    total: int


class AppliedPromotionOut(BaseModel):
    id: str
    code: str | None
    kind: str
    amount: int


class AppliedGiftCardOut(BaseModel):
    code: str
    amount: int


class PricingProblemOut(BaseModel):
    code: str
    detail: str
    ref: str


class TotalsOut(BaseModel):
    currency: str
    subtotal: int
    discount_total: int
    shipping_total: int
    shipping_discount: int
    tax_total: int
    tax_inclusive: bool
    total: int
    gift_card_total: int
    amount_due: int
    promotions: list[AppliedPromotionOut]
    gift_cards: list[AppliedGiftCardOut]
    taxes: dict[str, int]
    problems: list[PricingProblemOut]


class CartOut(BaseModel):
    id: str
    store_id: str
    status: str
    currency: str
    email: str | None
    customer_id: str | None
    shipping_address: Address | None
    billing_address: Address | None
    shipping_method_id: str | None
    coupon_codes: list[str]
    gift_card_codes: list[str]
    lines: list[CartLineOut]
    totals: TotalsOut
    reserved_until: datetime | None
    order_id: str | None
    created_at: datetime
    updated_at: datetime


class ShippingOption(BaseModel):
    id: str
    name: str
    amount: int
    currency: str
