"""Gift card queries; every one filters by account and store."""

from __future__ import annotations

from velox_shared.pagination import PageResult

from velox_commerce.db.checkout import GiftCard
from velox_commerce.repository import StoreRepository

__all__ = ["GiftCardRepository"]


class GiftCardRepository(StoreRepository[GiftCard]):
    model = GiftCard

    async def filtered_page(
        self, *, code: str | None, limit: int, cursor: str | None
    ) -> PageResult[GiftCard]:
        query = self.query()
        if code is not None:
            query = query.where(GiftCard.code == code)
        return await self.page(query, limit=limit, cursor=cursor)
