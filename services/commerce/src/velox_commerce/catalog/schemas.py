"""Wire models of the catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from velox_commerce.images.schemas import ImageOut
from velox_commerce.stores.schemas import Currency, Handle, refuse_nulls

__all__ = [
    "CategoryCreate",
    "CategoryOut",
    "OptionIn",
    "ProductCreate",
    "ProductOut",
    "ProductUpdate",
    "VariantCreate",
    "VariantOut",
    "VariantUpdate",
    "check_option_values",
]

Amount = Annotated[int, Field(ge=0, le=10**12, description="Minor units (cents).")]
Prices = Annotated[
    dict[Currency, Amount],
    Field(max_length=20, description='Price per currency in minor units: {"USD": 1999}.'),
]
Status = Literal["draft", "active", "archived"]
Policy = Literal["deny", "backorder", "preorder"]


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    values: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=100
    )


class VariantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=100, pattern=r"^\S(?:.*\S)?$")
    barcode: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=300)
    option_values: dict[str, str] = Field(default_factory=dict, max_length=10)
    weight_grams: int = Field(0, ge=0, le=10_000_000)
    track_inventory: bool = True
    inventory_policy: Policy = "deny"
    prices: Prices = Field(default_factory=dict)
    compare_at_prices: Prices = Field(default_factory=dict)


class VariantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str | None = Field(None, min_length=1, max_length=100, pattern=r"^\S(?:.*\S)?$")
    barcode: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=300)
    option_values: dict[str, str] | None = Field(None, max_length=10)
    weight_grams: int | None = Field(None, ge=0, le=10_000_000)
    track_inventory: bool | None = None
    inventory_policy: Policy | None = None
    # Replaces the prices of the currencies given (a currency left out keeps its price;
    # compare-at prices are kept).
    prices: Prices | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> VariantUpdate:
        refuse_nulls(self, nullable=frozenset({"barcode"}))
        return self


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    handle: Handle | None = Field(None, description="URL handle; made from the title if unset.")
    description: str = Field("", max_length=100_000)
    status: Status = "active"
    options: list[OptionIn] = Field(default_factory=list, max_length=3)
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=100)
    seo_title: str | None = Field(None, max_length=300)
    seo_description: str | None = Field(None, max_length=500)
    category_ids: list[str] = Field(default_factory=list, max_length=50)
    variants: list[VariantCreate] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _variants_match_options(self) -> ProductCreate:
        names = {o.name: set(o.values) for o in self.options}
        if len(names) < len(self.options):
            raise ValueError("options: each option name once")
        if any(len(set(o.values)) < len(o.values) for o in self.options):
            raise ValueError("options: each value once per option")
        skus: set[str] = set()
        combos: set[tuple[tuple[str, str], ...]] = set()
        for index, variant in enumerate(self.variants):
            if variant.sku in skus:
                raise ValueError(f"variants[{index}]: SKU {variant.sku!r} is repeated")
            skus.add(variant.sku)
            check_option_values(names, variant.option_values, f"variants[{index}]")
            if names:
                combo = tuple(sorted(variant.option_values.items()))
                if combo in combos:
                    raise ValueError(f"variants[{index}]: the same options as another variant")
                combos.add(combo)
        return self


def check_option_values(names: dict[str, set[str]], values: dict[str, str], where: str) -> None:
    """A variant gives one of the allowed values for each of its product's options (and
    none when the product has no options)."""
    if set(values) != set(names):
        expected = ", ".join(names) or "no option values"
        raise ValueError(f"{where}: give a value for each option ({expected})")
    for name, value in values.items():
        if value not in names[name]:
            raise ValueError(f"{where}: {value!r} is not a {name}")


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    handle: Handle | None = None
    description: str | None = Field(None, max_length=100_000)
    status: Status | None = None
    attributes: dict[str, Any] | None = Field(None, max_length=100)
    seo_title: str | None = Field(None, max_length=300)
    seo_description: str | None = Field(None, max_length=500)
    category_ids: list[str] | None = Field(None, max_length=50)

    @model_validator(mode="after")
    def _no_nulls(self) -> ProductUpdate:
        refuse_nulls(self, nullable=frozenset({"seo_title", "seo_description"}))
        return self


class VariantOut(BaseModel):
    id: str
    product_id: str
    sku: str
    barcode: str | None
    title: str
    option_values: dict[str, str]
    weight_grams: int
    track_inventory: bool
    inventory_policy: str
    prices: dict[str, int]
    compare_at_prices: dict[str, int]
    created_at: datetime
    updated_at: datetime


class ProductOut(BaseModel):
    id: str
    store_id: str
    title: str
    handle: str
    description: str
    status: str
    options: list[dict[str, Any]]
    attributes: dict[str, Any]
    seo_title: str | None
    seo_description: str | None
    category_ids: list[str]
    variants: list[VariantOut]
    images: list[ImageOut] = Field(default_factory=list, description="In display order.")
    created_at: datetime
    updated_at: datetime


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    handle: Handle | None = None
    parent_id: str | None = Field(None, max_length=40)
    position: int = Field(0, ge=0, le=100_000)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip() or "untitled"


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    handle: str
    parent_id: str | None
    position: int
    created_at: datetime
