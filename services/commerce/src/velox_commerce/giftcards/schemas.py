"""Wire models of gift cards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from velox_commerce.stores.schemas import Currency

__all__ = ["GiftCardCode", "GiftCardCreate", "GiftCardOut", "GiftCardStatus"]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


# Stored upper case (carts match codes without regard to case); at least 8 characters,
# since a short code is easy to guess and a gift card is money.
GiftCardCode = Annotated[
    str,
    BeforeValidator(_upper),
    Field(min_length=8, max_length=64, pattern=r"^[A-Z0-9_-]+$", examples=["K7QH4MZ2WXP9RT3N"]),
]
GiftCardStatus = Literal["active", "empty", "expired"]


class GiftCardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: GiftCardCode | None = Field(
        None, description="Made up when unset: 16 upper-case letters and digits."
    )
    initial_balance: int = Field(gt=0, le=10**12, description="Minor units (cents).")
    currency: Currency | None = Field(None, description="The store's default if unset.")
    expires_at: AwareDatetime | None = Field(None, description="Must be in the future.")


class GiftCardOut(BaseModel):
    id: str
    store_id: str
    code: str
    currency: str
    initial_balance: int
    balance: int
    expires_at: datetime | None
    # ``empty``: spent or disabled; ``expired``: past ``expires_at``.
    status: GiftCardStatus
    created_at: datetime
