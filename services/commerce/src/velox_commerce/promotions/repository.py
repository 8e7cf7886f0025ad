"""Promotion queries; every one filters by account and store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Category, Product
from velox_commerce.db.checkout import Promotion
from velox_commerce.repository import StoreRepository

__all__ = ["PromotionRepository"]


class PromotionRepository(StoreRepository[Promotion]):
    model = Promotion

    async def filtered_page(
        self, *, active: bool | None, code: str | None, limit: int, cursor: str | None
    ) -> PageResult[Promotion]:
        query = self.query()
        if active is not None:
            query = query.where(Promotion.active.is_(active))
        if code is not None:
            query = query.where(func.upper(Promotion.code) == code.upper())
        return await self.page(query, limit=limit, cursor=cursor)

    async def existing_products(self, ids: Sequence[str]) -> set[str]:
        return await self._existing(Product, ids)

    async def existing_categories(self, ids: Sequence[str]) -> set[str]:
        return await self._existing(Category, ids)

    async def _existing(
        self, model: type[Product] | type[Category], ids: Sequence[str]
    ) -> set[str]:
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(model.id).where(
                model.id.in_(list(ids)),
                model.account_id == self.account_id,
                model.store_id == self.store_id,
            )
        )
        return set(rows)
