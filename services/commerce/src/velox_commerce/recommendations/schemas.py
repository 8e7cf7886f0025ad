"""Wire models of recommendations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from velox_commerce.search.schemas import ProductCard

__all__ = ["BoughtTogether", "FrequentlyBoughtOut"]


class BoughtTogether(BaseModel):
    product: ProductCard
    orders: int = Field(description="Orders that hold both products.")


class FrequentlyBoughtOut(BaseModel):
    product_id: str
    items: list[BoughtTogether] = Field(
        description="The products most often in the same orders, the most frequent first."
    )
