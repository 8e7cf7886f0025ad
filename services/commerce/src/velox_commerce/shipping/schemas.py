"""Wire models of shipping zones and methods, and the rules of a method's rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from velox_commerce.stores.schemas import Country, Currency, refuse_nulls

__all__ = [
    "RULE_FIELDS",
    "MethodCreate",
    "MethodKind",
    "MethodOut",
    "MethodUpdate",
    "Tier",
    "ZoneCreate",
    "ZoneOut",
    "check_rules",
]

MethodKind = Literal["flat", "weight", "price"]
Amount = Annotated[int, Field(ge=0, le=10**12, description="Minor units (cents).")]
Tier = tuple[
    Annotated[int, Field(ge=0, le=10**12)],
    Annotated[int, Field(ge=0, le=10**12)],
]
Tiers = Annotated[
    list[Tier],
    Field(
        max_length=100,
        description="[[min, amount], ...]: min in grams (weight) or minor units (price); "
        "the tier with the greatest min not above the cart's measure applies.",
        examples=[[[0, 500], [2000, 900]]],
    ),
]

# The fields :func:`check_rules` reads (a PATCH checks them on the method it would make).
RULE_FIELDS = ("kind", "amount", "tiers")


def check_rules(values: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless the rate fits the kind.

    * ``flat``: ``amount`` set (0 ships free), no tiers;
    * ``weight`` and ``price``: at least one tier, mins ascending and unique, no amount.
    """
    kind, amount, tiers = values["kind"], values["amount"], values["tiers"]
    if kind == "flat":
        if amount is None:
            raise ValueError("a flat method needs amount (0 ships free)")
        if tiers:
            raise ValueError("tiers do not apply to a flat method: send []")
        return
    if amount is not None:
        raise ValueError(f"amount does not apply to a {kind} method (its tiers price it)")
    if not tiers:
        raise ValueError(f"a {kind} method needs at least one tier [min, amount]")
    mins = [tier[0] for tier in tiers]
    if any(later <= earlier for earlier, later in pairwise(mins)):
        raise ValueError("tier mins must be ascending and unique")


def _unique(countries: list[str]) -> list[str]:
    return list(dict.fromkeys(countries))


class ZoneCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    countries: Annotated[
        list[Country],
        Field(min_length=1, max_length=250, description="ISO 3166-1 alpha-2 codes."),
        AfterValidator(_unique),
    ]


class MethodCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: MethodKind
    currency: Currency | None = Field(None, description="The store's default if unset.")
    amount: Amount | None = Field(None, description="The price of a flat method.")
    tiers: Tiers = Field(default_factory=list)
    free_over: Amount | None = Field(
        None, description="A subtotal after discounts at or above it ships free."
    )

    @model_validator(mode="after")
    def _rules(self) -> MethodCreate:
        check_rules(self.model_dump(include=set(RULE_FIELDS)))
        return self


class MethodUpdate(BaseModel):
    """The fields to change; ``null`` clears ``amount`` (for a tiered method) and
    ``free_over``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: MethodKind | None = None
    currency: Currency | None = None
    amount: Amount | None = None
    tiers: Tiers | None = None
    free_over: Amount | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> MethodUpdate:
        refuse_nulls(self, frozenset({"amount", "free_over"}))
        return self


class MethodOut(BaseModel):
    id: str
    zone_id: str
    name: str
    kind: str
    currency: str
    amount: int | None
    tiers: list[Tier]
    free_over: int | None
    created_at: datetime


class ZoneOut(BaseModel):
    id: str
    name: str
    countries: list[str]
    methods: list[MethodOut]
    created_at: datetime
