"""The store-scoped repository base: the rows of one store of one account.

The shared :class:`velox_shared.repository.Repository` filters by tenant; below a store a
row also belongs to one store, so every query here starts from :meth:`query`, which
filters by both ``account_id`` and ``store_id``.

Example::

    class TaxRates(StoreRepository[TaxRate]):
        model = TaxRate

    rates = TaxRates(session, store)
    rate = await rates.get("tax_1")  # None for a rate of another store or account
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase
from velox_shared.pagination import PageResult, paginate

from velox_commerce.db.catalog import Store

__all__ = ["StoreRepository"]

ModelT = TypeVar("ModelT", bound=DeclarativeBase)


class StoreRepository(Generic[ModelT]):
    """Data access for one model whose rows carry ``account_id`` and ``store_id``."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    def query(self) -> Select[Any]:
        """``SELECT model`` filtered by the account and the store; add to it, never less."""
        return select(self.model).where(
            self.model.account_id == self.account_id, self.model.store_id == self.store_id
        )

    async def get(self, id_: str, *, lock: bool = False) -> ModelT | None:
        query = self.query().where(self.model.id == id_)
        if lock:
            query = query.with_for_update()
        result: ModelT | None = await self.session.scalar(query)
        return result

    async def add(self, obj: ModelT) -> ModelT:
        """Insert ``obj`` and load what the database filled in (``created_at``...)."""
        self.session.add(obj)
        await self.session.flush()
        await self.session.refresh(obj)
        return obj

    async def delete(self, obj: ModelT) -> None:
        await self.session.delete(obj)
        await self.session.flush()

    async def page(
        self, query: Select[Any], *, limit: int, cursor: str | None
    ) -> PageResult[ModelT]:
        """Newest first, ``limit`` rows after ``cursor``."""
        return await paginate(
            self.session, query, self.model.created_at, self.model.id, limit=limit, cursor=cursor
        )
