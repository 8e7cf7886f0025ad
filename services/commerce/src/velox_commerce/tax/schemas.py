"""Wire models of tax rates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from velox_commerce.stores.schemas import Country

__all__ = ["Region", "TaxCode", "TaxRateCreate", "TaxRateOut", "format_rate"]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


Region = Annotated[
    str,
    BeforeValidator(_upper),
    Field(
        pattern=r"^[A-Z0-9]{1,3}$",
        description="ISO 3166-2 subdivision code without the country (CA for US-CA).",
        examples=["CA"],
    ),
]
TaxCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[a-z0-9_-]+$",
        description='What the rate taxes: "standard" for products, "shipping" for shipping.',
    ),
]


def format_rate(rate: Decimal) -> str:
    """``Decimal("8.8750")`` as ``"8.875"``, ``Decimal("10.0000")`` as ``"10"``."""
    return format(rate.normalize(), "f")


class TaxRateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["California state tax"])
    country: Country
    region: Region | None = Field(None, description="Unset: the whole country.")
    tax_code: TaxCode = "standard"
    rate: Decimal = Field(
        ge=0,
        le=100,
        max_digits=7,
        decimal_places=4,
        description="A percentage with at most 4 decimals, as a number or a string: 8.875.",
        examples=["7.25"],
    )


class TaxRateOut(BaseModel):
    id: str
    name: str
    country: str
    region: str | None
    tax_code: str
    rate: str = Field(description="The percentage as a decimal string: 8.875.")
    created_at: datetime
