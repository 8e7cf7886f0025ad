"""Gift card queries; every one filters by account and store."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
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

    async def credit(self, amounts: Mapping[str, int]) -> set[str]:
        """Add ``amounts`` (card id -> minor units) to the cards' balances in one atomic
        ``balance = balance + x`` each, in card id order (the order checkout locks cards
        in, so the two never wait on each other crosswise); the ids credited (a card not
        in the store is not)."""
        credited: set[str] = set()
        for card_id in sorted(amounts):
            found = await self.session.scalar(
                update(GiftCard)
                .where(
                    GiftCard.id == card_id,
                    GiftCard.account_id == self.account_id,
                    GiftCard.store_id == self.store_id,
                )
                .values(balance=GiftCard.balance + amounts[card_id])
                .returning(GiftCard.id)
            )
            if found is not None:
                credited.add(found)
        return credited
