"""Data access of returns, and the store-scoped order reads the after-sales domains share
(returns, edits and notes each start from an order of the store)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.repository import Repository

from velox_commerce.db.aftersales import Return, ReturnLine
from velox_commerce.db.catalog import Store, Variant
from velox_commerce.db.inventory import Location
from velox_commerce.db.orders import Order, OrderLine, Refund

__all__ = ["OPEN_STATUSES", "ReturnLines", "Returns", "StoreOrders"]

# Returns whose units count as returned (a rejected return gives them back).
OPEN_STATUSES = ("requested", "approved", "received", "refunded", "closed")


class StoreOrders:
    """Orders of one store of one account (another's are not found)."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store

    async def get(self, order_id: str, *, lock: bool = False) -> Order | None:
        query = select(Order).where(
            Order.id == order_id,
            Order.account_id == self.store.account_id,
            Order.store_id == self.store.id,
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        found: Order | None = await self.session.scalar(query)
        return found

    async def lines(self, order_id: str) -> list[OrderLine]:
        rows = await self.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        )
        return list(rows)

    async def lines_by_id(self, ids: Sequence[str]) -> dict[str, OrderLine]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(OrderLine).where(
                OrderLine.id.in_(list(ids)), OrderLine.account_id == self.store.account_id
            )
        )
        return {line.id: line for line in rows}


class Returns(Repository[Return]):
    model = Return

    def listing(
        self, store: Store, *, status: str | None, order_id: str | None
    ) -> Select[tuple[Return]]:
        query = self.query(account_id=store.account_id).where(Return.store_id == store.id)
        if status is not None:
            query = query.where(Return.status == status)
        if order_id is not None:
            query = query.where(Return.order_id == order_id)
        return query

    async def in_store(self, store: Store, return_id: str, *, lock: bool = False) -> Return | None:
        query = self.listing(store, status=None, order_id=None).where(Return.id == return_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        found: Return | None = await self.session.scalar(query)
        return found

    async def returned_units(
        self, order_id: str, statuses: Sequence[str] = OPEN_STATUSES
    ) -> dict[str, int]:
        """Units of each order line in the order's returns of ``statuses``."""
        rows = await self.session.execute(
            select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
            .join(Return, Return.id == ReturnLine.return_id)
            .where(Return.order_id == order_id, Return.status.in_(list(statuses)))
            .group_by(ReturnLine.order_line_id)
        )
        return {line_id: int(units) for line_id, units in rows}

    async def order_currencies(self, store: Store, order_ids: Sequence[str]) -> dict[str, str]:
        if not order_ids:
            return {}
        rows = await self.session.execute(
            select(Order.id, Order.currency).where(
                Order.id.in_(list(order_ids)),
                Order.account_id == store.account_id,
                Order.store_id == store.id,
            )
        )
        return {order_id: currency for order_id, currency in rows}

    async def refunds(self, store: Store, refund_ids: Sequence[str | None]) -> dict[str, Refund]:
        """The order refunds returns made, by id."""
        ids = sorted({i for i in refund_ids if i is not None})
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(Refund).where(Refund.id.in_(ids), Refund.account_id == store.account_id)
        )
        return {refund.id: refund for refund in rows}

    async def location(self, store: Store, location_id: str | None) -> Location | None:
        """The store's location ``location_id``, or its first (by priority) when None."""
        query = select(Location).where(
            Location.account_id == store.account_id, Location.store_id == store.id
        )
        if location_id is not None:
            query = query.where(Location.id == location_id)
        query = query.order_by(Location.priority, Location.id).limit(1)
        return await self.session.scalar(query)

    async def stocked_variants(self, store: Store, variant_ids: Sequence[str]) -> set[str]:
        """Which of ``variant_ids`` still exist in the store and track stock (a deleted or
        untracked variant is not restocked)."""
        if not variant_ids:
            return set()
        rows = await self.session.scalars(
            select(Variant.id).where(
                Variant.id.in_(list(variant_ids)),
                Variant.account_id == store.account_id,
                Variant.store_id == store.id,
                Variant.track_inventory.is_(True),
            )
        )
        return set(rows)


class ReturnLines(Repository[ReturnLine]):
    model = ReturnLine

    async def of(self, return_ids: Sequence[str]) -> dict[str, list[ReturnLine]]:
        lines: dict[str, list[ReturnLine]] = defaultdict(list)
        if return_ids:
            rows = await self.session.scalars(
                select(ReturnLine)
                .where(ReturnLine.return_id.in_(list(return_ids)))
                .order_by(ReturnLine.id)
            )
            for line in rows:
                lines[line.return_id].append(line)
        return lines
