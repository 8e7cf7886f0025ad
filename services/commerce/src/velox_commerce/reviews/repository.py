"""Review queries, and the order lookup that makes a review a verified purchase; every one
filters by account and store."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from velox_shared.pagination import PageResult

from velox_commerce.db.discovery import Review
from velox_commerce.db.orders import Order, OrderLine
from velox_commerce.repository import StoreRepository
from velox_commerce.reviews.ordering import after, cursor_for, order_by, parse_cursor
from velox_commerce.reviews.schemas import ReviewSort, ReviewStatus

__all__ = ["PURCHASED", "ReviewRepository"]

# Orders that count as a purchase: placed, paid or (partly) shipped; not cancelled or
# fully refunded.
PURCHASED = ("placed", "paid", "partially_fulfilled", "fulfilled")


class ReviewRepository(StoreRepository[Review]):
    model = Review

    async def purchase(
        self,
        product_id: str,
        *,
        customer_id: str | None = None,
        email: str | None = None,
        order_id: str | None = None,
    ) -> Order | None:
        """The latest order of this store holding ``product_id`` that matches every given
        condition (placed by the customer, with this email, with this id)."""
        holds_product = exists().where(
            OrderLine.order_id == Order.id,
            OrderLine.account_id == self.account_id,
            OrderLine.product_id == product_id,
        )
        query = select(Order).where(
            Order.account_id == self.account_id,
            Order.store_id == self.store_id,
            Order.status.in_(PURCHASED),
            holds_product,
        )
        if customer_id is not None:
            query = query.where(Order.customer_id == customer_id)
        if email is not None:
            query = query.where(func.lower(Order.email) == email.lower())
        if order_id is not None:
            query = query.where(Order.id == order_id)
        found: Order | None = await self.session.scalar(
            query.order_by(Order.created_at.desc(), Order.id.desc()).limit(1)
        )
        return found

    async def staff_page(
        self,
        *,
        status: ReviewStatus | None,
        product_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Review]:
        query = self.query()
        if status is not None:
            query = query.where(Review.status == status)
        if product_id is not None:
            query = query.where(Review.product_id == product_id)
        return await self.page(query, limit=limit, cursor=cursor)

    async def approved_page(
        self,
        product_id: str,
        *,
        sort: ReviewSort,
        rating: int | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Review]:
        query = self.query().where(Review.product_id == product_id, Review.status == "approved")
        if rating is not None:
            query = query.where(Review.rating == rating)
        if cursor:
            query = query.where(after(sort, parse_cursor(sort, cursor)))
        rows = list(await self.session.scalars(query.order_by(*order_by(sort)).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return PageResult(items=rows, next_cursor=cursor_for(sort, rows[-1]) if more else None)

    async def distribution(self, product_id: str) -> dict[int, int]:
        """Approved reviews of the product per star, 1 to 5."""
        rows = await self.session.execute(
            select(Review.rating, func.count())
            .where(
                Review.account_id == self.account_id,
                Review.store_id == self.store_id,
                Review.product_id == product_id,
                Review.status == "approved",
            )
            .group_by(Review.rating)
        )
        counts = {stars: 0 for stars in range(1, 6)}
        counts.update({int(stars): int(n) for stars, n in rows})
        return counts
