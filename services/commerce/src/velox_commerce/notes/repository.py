"""Data access of order notes."""

from __future__ import annotations

from sqlalchemy import Select
from velox_shared.repository import Repository

from velox_commerce.db.aftersales import OrderNote

__all__ = ["Notes"]


class Notes(Repository[OrderNote]):
    model = OrderNote

    def of_order(
        self, account_id: str, order_id: str, *, public: bool | None
    ) -> Select[tuple[OrderNote]]:
        query = self.query(account_id=account_id).where(OrderNote.order_id == order_id)
        if public is not None:
            query = query.where(OrderNote.public.is_(public))
        return query

    async def of_order_by_id(
        self, account_id: str, order_id: str, note_id: str
    ) -> OrderNote | None:
        query = self.of_order(account_id, order_id, public=None).where(OrderNote.id == note_id)
        note: OrderNote | None = await self.session.scalar(query)
        return note
