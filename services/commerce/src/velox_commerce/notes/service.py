"""Notes on an order: written by staff (the caller's principal is the author)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.db.aftersales import OrderNote
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import Order
from velox_commerce.errors import ResourceNotFound
from velox_commerce.notes.repository import Notes
from velox_commerce.notes.schemas import NoteIn, NoteOut
from velox_commerce.returns.repository import StoreOrders

__all__ = ["NoteService"]


class NoteService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.orders = StoreOrders(session, store)
        self.notes = Notes(session)

    async def _order(self, order_id: str) -> Order:
        order = await self.orders.get(order_id)
        if order is None:
            raise ResourceNotFound.of("order", order_id)
        return order

    async def add(self, order_id: str, data: NoteIn, author: str) -> NoteOut:
        order = await self._order(order_id)
        note = OrderNote(
            id=new_id("onote"),
            account_id=order.account_id,
            order_id=order.id,
            author=author,
            body=data.body,
            public=data.public,
            created_at=datetime.now(UTC),
        )
        await self.notes.add(note)
        return NoteOut.model_validate(note)

    async def delete(self, order_id: str, note_id: str) -> None:
        order = await self._order(order_id)
        note = await self.notes.of_order_by_id(order.account_id, order.id, note_id)
        if note is None:
            raise ResourceNotFound.of("order note", note_id)
        await self.session.delete(note)
        await self.session.flush()

    async def page(
        self, order_id: str, *, public: bool | None, limit: int, cursor: str | None
    ) -> PageResult[NoteOut]:
        order = await self._order(order_id)
        query = self.notes.of_order(order.account_id, order.id, public=public)
        page = await self.notes.page(query, limit=limit, cursor=cursor)
        return PageResult(
            items=[NoteOut.model_validate(n) for n in page.items], next_cursor=page.next_cursor
        )
