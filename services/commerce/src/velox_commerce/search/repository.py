"""Product cards and category checks, read from the search documents (active products
only); wishlists, recently viewed, comparison and recommendations show the same cards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.db.catalog import Category, Store
from velox_commerce.db.discovery import ProductSearch
from velox_commerce.search.postgres import card_prices
from velox_commerce.search.schemas import ProductCard, Rating

__all__ = ["CardRepository", "live_prices"]


def live_prices() -> Any:
    """The stored ``{currency: [min, max]}``, or live prices once they have expired."""
    return case(
        (
            ProductSearch.prices_valid_until <= func.now(),
            func.commerce.product_prices_now(ProductSearch.product_id, type_=JSONB),
        ),
        else_=ProductSearch.prices,
    )


class CardRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    async def cards(
        self, product_ids: Sequence[str], currencies: tuple[str, ...]
    ) -> dict[str, ProductCard]:
        """The cards of the active products among ``product_ids`` (others are left out)."""
        if not product_ids:
            return {}
        rows = await self.session.execute(
            select(
                ProductSearch.product_id,
                ProductSearch.title,
                ProductSearch.handle,
                ProductSearch.in_stock,
                ProductSearch.rating_avg,
                ProductSearch.rating_count,
                ProductSearch.created_at,
                live_prices().label("prices"),
            ).where(
                ProductSearch.account_id == self.account_id,
                ProductSearch.store_id == self.store_id,
                ProductSearch.status == "active",
                ProductSearch.product_id.in_(list(product_ids)),
            )
        )
        return {
            row.product_id: ProductCard(
                id=row.product_id,
                title=row.title,
                handle=row.handle,
                in_stock=row.in_stock,
                rating=Rating(
                    average=None if row.rating_avg is None else float(row.rating_avg),
                    count=row.rating_count,
                ),
                prices=card_prices(row.prices, currencies),
                created_at=row.created_at,
            )
            for row in rows
        }

    async def category_exists(self, category_id: str) -> bool:
        return bool(await self.categories_found([category_id]))

    async def categories_found(self, category_ids: Sequence[str]) -> set[str]:
        """Which of ``category_ids`` are categories of this store."""
        found = await self.session.scalars(
            select(Category.id).where(
                Category.id.in_(list(category_ids)),
                Category.account_id == self.account_id,
                Category.store_id == self.store_id,
            )
        )
        return set(found)
