"""The one generic repository base: tenant-filtered reads, adds and pages.

Example::

    class ApiKeys(Repository[ApiKey]):
        model = ApiKey

    keys = ApiKeys(session)
    key = await keys.get("key_1", account_id="acc_1")  # None for another account's key
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from velox_shared.pagination import PageResult, paginate

__all__ = ["Repository"]

ModelT = TypeVar("ModelT", bound=DeclarativeBase)


class Repository(Generic[ModelT]):
    """Data access for one model; every tenant-owned read takes ``account_id``."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def query(self, *, account_id: str | None = None) -> Select[tuple[ModelT]]:
        query: Select[tuple[ModelT]] = select(self.model)
        if account_id is not None:
            query = query.where(self.model.account_id == account_id)
        return query

    async def get(self, id_: str, *, account_id: str | None = None) -> ModelT | None:
        query = self.query(account_id=account_id).where(self.model.id == id_)
        result: ModelT | None = await self.session.scalar(query)
        return result

    async def add(self, obj: ModelT) -> ModelT:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def page(
        self, query: Select[tuple[ModelT]], *, limit: int, cursor: str | None
    ) -> PageResult[ModelT]:
        return await paginate(
            self.session, query, self.model.created_at, self.model.id, limit=limit, cursor=cursor
        )
