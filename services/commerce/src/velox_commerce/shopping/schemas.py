"""Wire models of wishlists, recently viewed products and product comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from velox_commerce.search.schemas import ProductCard

__all__ = [
    "ClaimOut",
    "ComparedProduct",
    "ComparisonOut",
    "RecentlyViewedItem",
    "RecentlyViewedOut",
    "ViewIn",
    "WishlistItemOut",
]


class WishlistItemOut(BaseModel):
    product_id: str
    added_at: datetime
    product: ProductCard | None = Field(
        description="Current prices and stock; null while the product is not on sale "
        "(draft or archived)."
    )


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=40)


class RecentlyViewedItem(BaseModel):
    viewed_at: datetime
    product: ProductCard


class RecentlyViewedOut(BaseModel):
    """The shopper's last viewed products, the latest first (each product once)."""

    items: list[RecentlyViewedItem]


class ComparedProduct(ProductCard):
    attributes: dict[str, Any] = Field(
        description="A value for each of the comparison's `attributes` (null where the "
        "product has none)."
    )
    options: dict[str, list[str]] = Field(
        description="The values of each of the comparison's `options` ([] where the product "
        "has no such option)."
    )


class ComparisonOut(BaseModel):
    attributes: list[str] = Field(
        description="Every attribute name of the products, the most shared first."
    )
    options: list[str] = Field(description="Every option name (Size, Color...), likewise.")
    products: list[ComparedProduct] = Field(description="In the order asked for.")


class ClaimOut(BaseModel):
    """How many of the guest's products moved to the customer."""

    wishlist: int
    recently_viewed: int
