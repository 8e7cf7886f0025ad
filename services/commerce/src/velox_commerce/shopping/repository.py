"""Wishlist and recently viewed rows of one shopper (``owner``), and the store's products
they name; every query filters by account and store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult, paginate

from velox_commerce.db.catalog import Product, Store
from velox_commerce.db.discovery import RecentView, WishlistItem

__all__ = ["ProductLookup", "RecentViewRepository", "WishlistRepository"]


class _Scoped:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id


class ProductLookup(_Scoped):
    async def one(self, product_id: str) -> Product | None:
        """The store's product, whatever its status."""
        found: Product | None = await self.session.scalar(
            select(Product).where(
                Product.account_id == self.account_id,
                Product.store_id == self.store_id,
                Product.id == product_id,
            )
        )
        return found

    async def active(self, product_ids: Sequence[str]) -> dict[str, Product]:
        """The active products of this store among ``product_ids``."""
        if not product_ids:
            return {}
        rows = await self.session.scalars(
            select(Product).where(
                Product.account_id == self.account_id,
                Product.store_id == self.store_id,
                Product.status == "active",
                Product.id.in_(list(product_ids)),
            )
        )
        return {p.id: p for p in rows}


class _OwnedList(_Scoped):
    """Rows ``(store_id, owner, product_id)`` with a time: a wishlist, recent views."""

    model: ClassVar[type[WishlistItem] | type[RecentView]]
    at: ClassVar[str]

    def _mine(self, owner: str) -> list[ColumnElement[bool]]:
        return [
            self.model.account_id == self.account_id,
            self.model.store_id == self.store_id,
            self.model.owner == owner,
        ]

    async def trim(self, owner: str, *, keep: int) -> None:
        """Forgets all but the ``keep`` latest rows of ``owner``."""
        at = getattr(self.model, self.at)
        kept = (
            select(self.model.product_id)
            .where(*self._mine(owner))
            .order_by(at.desc(), self.model.product_id.desc())
            .limit(keep)
        )
        await self.session.execute(
            delete(self.model).where(*self._mine(owner), self.model.product_id.not_in(kept))
        )

    async def move(self, source: str, target: str, *, keep: int) -> int:
        """Gives ``source``'s rows to ``target`` (the later time wins where both have a
        product), then keeps ``target``'s ``keep`` latest; how many rows ``source`` had."""
        model, at = self.model, getattr(self.model, self.at)
        rows = select(
            model.store_id, literal(target), model.product_id, model.account_id, at
        ).where(*self._mine(source))
        statement = insert(model).from_select(
            ["store_id", "owner", "product_id", "account_id", self.at], rows
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["store_id", "owner", "product_id"],
                set_={self.at: func.greatest(at, statement.excluded[self.at])},
            )
        )
        moved = await self.session.execute(
            delete(self.model).where(*self._mine(source)).returning(self.model.product_id)
        )
        await self.trim(target, keep=keep)
        return len(moved.all())

    async def clear(self, owner: str) -> None:
        await self.session.execute(delete(self.model).where(*self._mine(owner)))


class WishlistRepository(_OwnedList):
    model = WishlistItem
    at = "added_at"

    async def add(self, owner: str, product_id: str) -> WishlistItem:
        """The item, added now unless it was on the list already (then kept as it was)."""
        await self.session.execute(
            insert(WishlistItem)
            .values(
                account_id=self.account_id,
                store_id=self.store_id,
                owner=owner,
                product_id=product_id,
            )
            .on_conflict_do_nothing(index_elements=["store_id", "owner", "product_id"])
        )
        item = await self.get(owner, product_id)
        assert item is not None  # just written, or there already
        return item

    async def get(self, owner: str, product_id: str) -> WishlistItem | None:
        found: WishlistItem | None = await self.session.scalar(
            select(WishlistItem).where(*self._mine(owner), WishlistItem.product_id == product_id)
        )
        return found

    async def count(self, owner: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(WishlistItem).where(*self._mine(owner))
            )
            or 0
        )

    async def remove(self, owner: str, product_id: str) -> bool:
        result = await self.session.execute(
            delete(WishlistItem)
            .where(*self._mine(owner), WishlistItem.product_id == product_id)
            .returning(WishlistItem.product_id)
        )
        return result.first() is not None

    async def page(self, owner: str, *, limit: int, cursor: str | None) -> PageResult[WishlistItem]:
        """The latest additions first."""
        query: Select[Any] = select(WishlistItem).where(*self._mine(owner))
        return await paginate(
            self.session,
            query,
            WishlistItem.added_at,
            WishlistItem.product_id,
            limit=limit,
            cursor=cursor,
        )


class RecentViewRepository(_OwnedList):
    model = RecentView
    at = "viewed_at"

    async def record(self, owner: str, product_id: str, *, keep: int) -> None:
        """Marks the product viewed now and forgets all but the ``keep`` latest views."""
        statement = insert(RecentView).values(
            account_id=self.account_id,
            store_id=self.store_id,
            owner=owner,
            product_id=product_id,
            viewed_at=func.clock_timestamp(),
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["store_id", "owner", "product_id"],
                set_={"viewed_at": func.clock_timestamp()},
            )
        )
        await self.trim(owner, keep=keep)

    async def latest(
        self, owner: str, *, limit: int, exclude: str | None
    ) -> list[tuple[str, datetime]]:
        """``(product id, viewed at)`` of the latest views of active products."""
        query = (
            select(RecentView.product_id, RecentView.viewed_at)
            .join(Product, Product.id == RecentView.product_id)
            .where(
                *self._mine(owner),
                Product.account_id == self.account_id,
                Product.status == "active",
            )
            .order_by(RecentView.viewed_at.desc(), RecentView.product_id.desc())
            .limit(limit)
        )
        if exclude is not None:
            query = query.where(RecentView.product_id != exclude)
        return [(row.product_id, row.viewed_at) for row in await self.session.execute(query)]
