"""Wire models of price lists, their tiered prices and variants' scheduled sale prices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from velox_commerce.patch import Patch
from velox_commerce.stores.schemas import Currency

__all__ = [
    "MAX_PRICES_PER_CALL",
    "PriceIn",
    "PriceListCreate",
    "PriceListOut",
    "PriceListUpdate",
    "PriceOut",
    "PricesSetOut",
    "SaleIn",
    "SaleOut",
    "check_window",
]

MAX_PRICES_PER_CALL = 1000

Amount = Annotated[int, Field(ge=0, le=10**12, description="Minor units (cents).")]
Id = Annotated[str, Field(min_length=1, max_length=40)]


def check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """Raise ``ValueError`` for an empty window (``ends_at`` not after ``starts_at``)."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")


class PriceListCreate(BaseModel):
    """Prices in one currency for everyone, or for one customer group, within a window."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Wholesale"])
    currency: Currency
    customer_group_id: Id | None = Field(None, description="Unset: the prices are for everyone.")
    starts_at: AwareDatetime | None = Field(None, description="Unset: from now on.")
    ends_at: AwareDatetime | None = Field(None, description="Unset: no end.")
    active: bool = True

    @model_validator(mode="after")
    def _window(self) -> Self:
        check_window(self.starts_at, self.ends_at)
        return self


class PriceListUpdate(Patch):
    """The fields to change; ``null`` clears the group (everyone) and either end of the
    window. The currency cannot change: the list's amounts are in it."""

    required: ClassVar[frozenset[str]] = frozenset({"name", "active"})

    name: str | None = Field(None, min_length=1, max_length=200)
    customer_group_id: Id | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    active: bool | None = None


class PriceListOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    store_id: str
    name: str
    currency: str
    customer_group_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    active: bool
    created_at: datetime


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant_id: Id
    min_quantity: int = Field(
        1, ge=1, le=10_000, description="The tier starts at this many units in a line."
    )
    amount: Amount | None = Field(description="The unit price from that quantity; null removes it.")


class PriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    variant_id: str
    min_quantity: int
    amount: int


class PricesSetOut(BaseModel):
    price_list_id: str
    upserted: int = Field(description="Tiers set (created or replaced).")
    removed: int = Field(description="Tiers removed (``amount`` null) that existed.")


class SaleIn(BaseModel):
    """A scheduled sale price of a variant in one currency (either end open when unset)."""

    model_config = ConfigDict(extra="forbid")

    currency: Currency
    sale_amount: Amount
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        check_window(self.starts_at, self.ends_at)
        return self


class SaleOut(BaseModel):
    variant_id: str
    currency: str
    amount: int = Field(description="The base price.")
    sale_amount: int
    starts_at: datetime | None
    ends_at: datetime | None
    on_sale_now: bool
