"""Wire models of promotions, and the rules tying a promotion's fields to its kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from velox_commerce.pricing.model import FULL_BP
from velox_commerce.stores.schemas import Currency, refuse_nulls

__all__ = [
    "RULE_FIELDS",
    "CouponCode",
    "Kind",
    "PromotionCreate",
    "PromotionOut",
    "PromotionUpdate",
    "check_rules",
]

Kind = Literal["percentage", "fixed", "free_shipping", "buy_x_get_y"]
# The characters a cart accepts in a coupon code, so every coupon can be entered.
CouponCode = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", examples=["SAVE10"])
]
Amount = Annotated[int, Field(ge=0, le=10**12, description="Minor units (cents).")]
Quantity = Annotated[int, Field(ge=0, le=1000)]
DiscountBp = Annotated[int, Field(ge=1, le=FULL_BP, description="Basis points: 10000 = 100 %.")]


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


Ids = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=40)]],
    Field(max_length=100),
    AfterValidator(_unique),
]

# The fields a PATCH may set to null.
_CLEARABLE = frozenset({"code", "currency", "starts_at", "ends_at", "usage_limit"})
# The fields :func:`check_rules` reads (a PATCH checks them on the promotion it would make).
RULE_FIELDS = ("kind", "value", "buy_quantity", "get_quantity", "starts_at", "ends_at")


def check_rules(values: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless the fields fit the kind and the window is not empty.

    * ``percentage``: ``value`` 1..10000 basis points; ``fixed``: ``value`` >= 1 minor unit;
      ``free_shipping`` and ``buy_x_get_y`` take no ``value`` (0);
    * ``buy_x_get_y``: ``buy_quantity`` and ``get_quantity`` >= 1; other kinds leave both 0;
    * ``ends_at`` after ``starts_at`` when both are set.
    """
    kind, value = values["kind"], values["value"]
    if kind == "percentage" and not 1 <= value <= FULL_BP:
        raise ValueError("a percentage needs value between 1 and 10000 basis points (1000 = 10 %)")
    if kind == "fixed" and value < 1:
        raise ValueError("a fixed discount needs value of 1 minor unit or more")
    if kind in ("free_shipping", "buy_x_get_y") and value != 0:
        raise ValueError(f"value does not apply to {kind}: leave it out or send 0")
    buy, get = values["buy_quantity"], values["get_quantity"]
    if kind == "buy_x_get_y" and (buy < 1 or get < 1):
        raise ValueError("buy_x_get_y needs buy_quantity and get_quantity of 1 or more")
    if kind != "buy_x_get_y" and (buy or get):
        raise ValueError("buy_quantity and get_quantity apply only to buy_x_get_y: send 0")
    starts, ends = values["starts_at"], values["ends_at"]
    if starts is not None and ends is not None and ends <= starts:
        raise ValueError("ends_at must be after starts_at")


class PromotionCreate(BaseModel):
    """A coupon when ``code`` is set (unique in the store, whatever the case), else an
    automatic promotion that every qualifying cart gets."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    code: CouponCode | None = None
    kind: Kind
    value: Amount = Field(
        0, description="Basis points for percentage (1000 = 10 %), minor units for fixed."
    )
    currency: Currency | None = Field(
        None, description="Applies only to carts in this currency (its amounts are in it)."
    )
    min_subtotal: Amount = 0
    buy_quantity: Quantity = 0
    get_quantity: Quantity = 0
    get_discount_bp: DiscountBp = FULL_BP
    product_ids: Ids = Field(default_factory=list, description="Empty: every product.")
    category_ids: Ids = Field(default_factory=list)
    combinable: bool = True
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    usage_limit: int | None = Field(None, ge=1, le=10**9)
    active: bool = True

    @model_validator(mode="after")
    def _rules(self) -> PromotionCreate:
        check_rules(self.model_dump(include=set(RULE_FIELDS)))
        return self


class PromotionUpdate(BaseModel):
    """The fields to change; ``null`` clears ``code`` (the coupon becomes automatic),
    ``currency``, the window and ``usage_limit``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    code: CouponCode | None = None
    kind: Kind | None = None
    value: Amount | None = None
    currency: Currency | None = None
    min_subtotal: Amount | None = None
    buy_quantity: Quantity | None = None
    get_quantity: Quantity | None = None
    get_discount_bp: DiscountBp | None = None
    product_ids: Ids | None = None
    category_ids: Ids | None = None
    combinable: bool | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    usage_limit: int | None = Field(None, ge=1, le=10**9)
    active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> PromotionUpdate:
        refuse_nulls(self, _CLEARABLE)
        return self


class PromotionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    store_id: str
    name: str
    code: str | None
    kind: str
    value: int
    currency: str | None
    min_subtotal: int
    buy_quantity: int
    get_quantity: int
    get_discount_bp: int
    product_ids: list[str]
    category_ids: list[str]
    combinable: bool
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    times_used: int
    active: bool
    created_at: datetime
