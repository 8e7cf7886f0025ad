""" "Frequently bought together": the products most often ordered with a product, from the
store's order history."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.db.catalog import Store
from velox_commerce.errors import ResourceNotFound
from velox_commerce.recommendations.repository import CoPurchaseRepository
from velox_commerce.recommendations.schemas import BoughtTogether, FrequentlyBoughtOut
from velox_commerce.search.repository import CardRepository
from velox_commerce.shopping.repository import ProductLookup

__all__ = ["ORDER_WINDOW", "RecommendationService"]

# How many of the product's latest orders are read: recent tastes, and a bounded cost for
# a best seller.
ORDER_WINDOW = 5_000


class RecommendationService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.store = store
        self.products = ProductLookup(session, store)
        self.co_purchases = CoPurchaseRepository(session, store)
        self.cards = CardRepository(session, store)

    async def bought_together(self, product_id: str, *, limit: int) -> FrequentlyBoughtOut:
        if await self.products.one(product_id) is None:
            raise ResourceNotFound.of("product", product_id)
        found = await self.co_purchases.bought_with(product_id, window=ORDER_WINDOW, limit=limit)
        cards = await self.cards.cards([f.product_id for f in found], tuple(self.store.currencies))
        return FrequentlyBoughtOut(
            product_id=product_id,
            items=[
                BoughtTogether(product=cards[f.product_id], orders=f.orders)
                for f in found
                if f.product_id in cards
            ],
        )
