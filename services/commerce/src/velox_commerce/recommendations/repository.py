"""Co-purchases from the store's order lines; every query filters by account and store."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.db.catalog import Product, Store
from velox_commerce.db.orders import Order, OrderLine
from velox_commerce.reviews.repository import PURCHASED

__all__ = ["CoPurchase", "CoPurchaseRepository"]


@dataclass(frozen=True)
class CoPurchase:
    product_id: str
    orders: int


class CoPurchaseRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    async def bought_with(self, product_id: str, *, window: int, limit: int) -> list[CoPurchase]:
        """The active products found most often in the same orders as ``product_id``,
        among its latest ``window`` orders (placed, paid or shipped; not cancelled or
        refunded). Ties go to the product bought together most recently, then by id.

        Order ids start with their creation time (``velox_shared.ids``), so the latest
        orders come straight off ``ix_order_lines_product (product_id, order_id)``.
        """
        recent = (
            select(OrderLine.order_id, Order.created_at)
            .distinct()
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                OrderLine.account_id == self.account_id,
                OrderLine.product_id == product_id,
                Order.account_id == self.account_id,
                Order.store_id == self.store_id,
                Order.status.in_(PURCHASED),
            )
            .order_by(OrderLine.order_id.desc())
            .limit(window)
            .subquery()
        )
        orders = func.count(func.distinct(OrderLine.order_id)).label("orders")
        query = (
            select(OrderLine.product_id, orders)
            .join(recent, recent.c.order_id == OrderLine.order_id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(
                OrderLine.account_id == self.account_id,
                OrderLine.product_id != product_id,
                Product.account_id == self.account_id,
                Product.store_id == self.store_id,
                Product.status == "active",
            )
            .group_by(OrderLine.product_id)
            .order_by(orders.desc(), func.max(recent.c.created_at).desc(), OrderLine.product_id)
            .limit(limit)
        )
        rows = await self.session.execute(query)
        return [CoPurchase(product_id=row.product_id, orders=int(row.orders)) for row in rows]
