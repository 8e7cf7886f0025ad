"""Wire models of search and listings, and the product card every discovery answer uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from velox_commerce.stores.schemas import Currency

__all__ = [
    "AttributeFacet",
    "AvailabilityFacet",
    "CategoryFacet",
    "Facets",
    "ListingOut",
    "ListingParams",
    "Match",
    "PriceRange",
    "PriceStats",
    "ProductCard",
    "Rating",
    "SearchHit",
    "SearchOut",
    "SearchParams",
    "Sort",
    "ValueCount",
]

Sort = Literal["relevance", "price_asc", "price_desc", "newest", "rating"]
ListingSort = Literal["newest", "price_asc", "price_desc", "rating"]
Match = Literal["all", "fulltext", "fuzzy"]


class PriceRange(BaseModel):
    """The cheapest and the dearest variant in one currency (minor units), sale prices
    applied."""

    min: int
    max: int


class Rating(BaseModel):
    """Approved reviews only."""

    average: float | None
    count: int


class ProductCard(BaseModel):
    """What a storefront shows of a product in a list."""

    id: str
    title: str
    handle: str
    in_stock: bool = Field(description="A variant has units on hand (or does not track inventory).")
    rating: Rating
    prices: dict[str, PriceRange] = Field(description="Per currency asked for.")
    created_at: datetime


class SearchHit(ProductCard):
    score: float | None = Field(description="Relevance (higher is better) when a query is given.")


class CategoryFacet(BaseModel):
    """Matches in a category, its subcategories included."""

    id: str
    name: str
    parent_id: str | None
    count: int


class ValueCount(BaseModel):
    value: str
    count: int


class AttributeFacet(BaseModel):
    """Counts per value of one attribute (lower case). Counted with every filter but this
    attribute's own, so the other values stay selectable."""

    name: str
    values: list[ValueCount]


class AvailabilityFacet(BaseModel):
    """Matches in and out of stock, counted without the ``in_stock`` filter."""

    in_stock: int
    out_of_stock: int


class PriceStats(BaseModel):
    """The lowest and highest ``from`` price of the matches, without the price filter."""

    currency: str
    min: int | None
    max: int | None


class Facets(BaseModel):
    categories: list[CategoryFacet]
    attributes: list[AttributeFacet]
    availability: AvailabilityFacet
    price: PriceStats


class SearchOut(BaseModel):
    query: str | None
    match: Match = Field(
        description="`fulltext`: words matched; `fuzzy`: nothing matched the words, these "
        "are the closest spellings (typo tolerance); `all`: no query."
    )
    total: int
    items: list[SearchHit]
    facets: Facets | None = Field(description="Null when asked for none (`facets=false`).")
    next_cursor: str | None = None


class ListingOut(BaseModel):
    category_id: str
    total: int
    items: list[ProductCard]
    next_cursor: str | None = None


Amount = Annotated[int, Field(ge=0, le=10**12)]
CategoryId = Annotated[str, Field(min_length=1, max_length=40)]
# ``name:value``: the name up to the first colon, the value may hold colons.
AttributeFilter = Annotated[
    str, Field(min_length=3, max_length=301, pattern=r"^[^:]{1,100}:.{1,200}$")
]
Limit = Annotated[int, Field(ge=1, le=100, description="Items per page (1-100).")]
Cursor = Annotated[
    str | None, Field(max_length=512, description="The `next_cursor` of the previous page.")
]


class _PageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currencies: list[Currency] = Field(
        default_factory=list,
        max_length=20,
        description="Currencies to show prices in, repeated (`currencies=USD&currencies=EUR`);"
        " the store's. Default: the price currency.",
    )
    in_stock: bool | None = Field(
        None, description="`true`: only products that can be bought now; `false`: only others."
    )
    limit: Limit = 24
    cursor: Cursor = None


class SearchParams(_PageParams):
    """Query parameters of a search (unknown parameters are refused)."""

    q: str | None = Field(
        None, max_length=200, description="Words to find in title, description, SKUs, attributes."
    )
    category: list[CategoryId] = Field(
        default_factory=list,
        max_length=20,
        description="Category ids, repeated; a product in any of them or their subcategories.",
    )
    attr: list[AttributeFilter] = Field(
        default_factory=list,
        max_length=20,
        description="`name:value`, repeated; values of one name are ORed, names ANDed"
        " (`attr=color:red&attr=color:blue&attr=size:42`). Any case.",
    )
    min_price: Amount | None = Field(None, description="Lowest `from` price, minor units.")
    max_price: Amount | None = Field(None, description="Highest `from` price, minor units.")
    currency: Currency | None = Field(
        None,
        description="The currency of the price filter, price sorts and price facet;"
        " default: the store's default currency.",
    )
    sort: Sort = "relevance"
    facets: bool = Field(True, description="Count facets (false: hits and total only).")

    @field_validator("q")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        stripped = value.strip() if value is not None else None
        return stripped or None

    @model_validator(mode="after")
    def _price_range(self) -> SearchParams:
        if (
            self.min_price is not None
            and self.max_price is not None
            and self.min_price > self.max_price
        ):
            raise ValueError("min_price must not be above max_price")
        return self


class ListingParams(_PageParams):
    """Query parameters of a category page (unknown parameters are refused)."""

    sort: ListingSort = Field(
        "newest", description="Price sorts use the first of `currencies` (default currency)."
    )
