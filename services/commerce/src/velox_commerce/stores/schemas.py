"""Wire models of stores."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from velox_commerce.pricing.money import UnknownCurrency, minor_units

__all__ = ["Currency", "Handle", "StoreCreate", "StoreOut", "StoreUpdate", "refuse_nulls"]


def _known_currency(code: str) -> str:
    try:
        minor_units(code)
    except UnknownCurrency:
        raise ValueError(f"{code} is not an ISO 4217 currency") from None
    return code


Currency = Annotated[
    str, Field(pattern=r"^[A-Z]{3}$", examples=["USD"]), AfterValidator(_known_currency)
]
Handle = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["US"])]
# BCP 47, as long as the column holding it.
Locale = Annotated[str, Field(max_length=35, pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]


def refuse_nulls(model: BaseModel, nullable: frozenset[str] = frozenset()) -> None:
    """A PATCH body's explicit ``null`` is refused for fields that cannot be empty (else it
    reaches a NOT NULL column)."""
    nulls = sorted(
        name for name in model.model_fields_set - nullable if getattr(model, name) is None
    )
    if nulls:
        raise ValueError(f"{', '.join(nulls)} cannot be null")


class StoreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    handle: Handle
    default_currency: Currency = "USD"
    currencies: list[Currency] = Field(default_factory=list, max_length=20)
    locale: Locale = "en-US"
    country: Country = "US"
    tax_inclusive: bool = False
    capture_on_order: bool = True
    reservation_minutes: int = Field(15, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _default_in_currencies(self) -> StoreCreate:
        if self.default_currency not in self.currencies:
            self.currencies = [self.default_currency, *self.currencies]
        self.currencies = list(dict.fromkeys(self.currencies))
        return self


class StoreUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    currencies: list[Currency] | None = Field(None, max_length=20)
    locale: Locale | None = None
    country: Country | None = None
    tax_inclusive: bool | None = None
    capture_on_order: bool | None = None
    reservation_minutes: int | None = Field(None, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _no_nulls(self) -> StoreUpdate:
        refuse_nulls(self)
        return self


class StoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    handle: str
    default_currency: str
    currencies: list[str]
    locale: str
    country: str
    tax_inclusive: bool
    capture_on_order: bool
    reservation_minutes: int
    created_at: datetime
    updated_at: datetime
