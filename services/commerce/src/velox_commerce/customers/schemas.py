"""Wire models of store customers, their groups, addresses and storefront sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from velox_commerce.carts.schemas import Address
from velox_commerce.orders.schemas import OrderOut
from velox_commerce.patch import Patch

__all__ = [
    "AddressCreate",
    "AddressOut",
    "AddressUpdate",
    "CustomerCreate",
    "CustomerOrderOut",
    "CustomerOut",
    "CustomerUpdate",
    "GroupCreate",
    "GroupOut",
    "LoginIn",
    "PublicNoteOut",
    "RegisterIn",
    "SessionOut",
]

Id = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(min_length=1, max_length=40)]
GuestCart = Annotated[
    Id | None,
    Field(description="The guest's cart: it becomes the customer's (see the merge rule)."),
]


class CustomerCreate(BaseModel):
    """A customer made by staff; they have no password until they register."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(description="Unique in the store, whatever its case.")
    name: Name | None = None
    phone: Phone | None = None
    group_id: Id | None = Field(None, description="A customer group of the store.")
    accepts_marketing: bool = False


class CustomerUpdate(Patch):
    """The fields to change; ``null`` clears the name, phone and group."""

    required: ClassVar[frozenset[str]] = frozenset({"email", "accepts_marketing"})

    email: EmailStr | None = None
    name: Name | None = None
    phone: Phone | None = None
    group_id: Id | None = None
    accepts_marketing: bool | None = None


class CustomerOut(BaseModel):
    id: str
    store_id: str
    email: str
    name: str | None
    phone: str | None
    group_id: str | None
    accepts_marketing: bool
    has_password: bool = Field(description="Whether the customer can sign in.")
    created_at: datetime
    updated_at: datetime


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="Unique in the store.", examples=["Wholesale"])


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    store_id: str
    name: str
    created_at: datetime


class AddressCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: Address
    default_shipping: bool | None = Field(
        None, description="Unset: the default if the customer has none yet."
    )
    default_billing: bool | None = Field(
        None, description="Unset: the default if the customer has none yet."
    )


class AddressUpdate(Patch):
    """The fields to change: a new address, or making it a default (``true``; another
    default of that kind stops being one). ``false`` leaves the customer without it."""

    required: ClassVar[frozenset[str]] = frozenset(
        {"address", "default_shipping", "default_billing"}
    )

    address: Address | None = None
    default_shipping: bool | None = None
    default_billing: bool | None = None


class AddressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    customer_id: str
    address: Address
    default_shipping: bool
    default_billing: bool
    created_at: datetime


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=10, max_length=256)
    name: Name | None = None
    phone: Phone | None = None
    accepts_marketing: bool = False
    cart_id: GuestCart = None


class LoginIn(BaseModel):
    """Any email and password are accepted here: a wrong one is a 401, never a 422."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)
    cart_id: GuestCart = None


class SessionOut(BaseModel):
    customer: CustomerOut
    token: str = Field(description="Send it as `X-Customer-Token`; shown once.")
    expires_at: datetime
    cart_id: str | None = Field(
        description="The customer's open cart after the merge (none if they have none)."
    )


class PublicNoteOut(BaseModel):
    """A note the store left on the order for the buyer."""

    id: str
    body: str
    created_at: datetime


class CustomerOrderOut(OrderOut):
    """One of the signed-in customer's orders, with the store's notes to them."""

    notes: list[PublicNoteOut]
