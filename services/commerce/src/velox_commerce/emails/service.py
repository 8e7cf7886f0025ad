"""The staff's view of the emails sent to a store's buyers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.emails.repository import Emails
from velox_commerce.emails.schemas import EmailOut

__all__ = ["EmailService"]


class EmailService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.store = store
        self.emails = Emails(session)

    async def page(
        self, *, order_id: str | None, status: str | None, limit: int, cursor: str | None
    ) -> PageResult[EmailOut]:
        query = self.emails.log(self.store, order_id=order_id, status=status)
        page = await self.emails.page(query, limit=limit, cursor=cursor)
        return PageResult(
            items=[EmailOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor
        )
