"""Review rules: one review per buyer and product, only from a verified purchase, shown
once staff approve it.

A buyer is named by ``reviewer``: ``customer:<id>`` for a signed-in customer and for a
guest whose order carries a customer id, else ``email:<lower-case address>``; the unique
index on ``(product_id, reviewer)`` keeps it to one review each. Approving, rejecting or
deleting a review changes the product's rating in its search document at commit (the
triggers of migration 0004).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.db.customers import Customer
from velox_commerce.db.discovery import Review
from velox_commerce.db.orders import Order
from velox_commerce.errors import DuplicateHandle, PurchaseNotVerified, ResourceNotFound
from velox_commerce.reviews.ordering import rating_average
from velox_commerce.reviews.repository import ReviewRepository
from velox_commerce.reviews.schemas import (
    ModerationIn,
    ProductReviewsOut,
    PublicReviewOut,
    RatingSummary,
    ReviewCreate,
    ReviewSort,
    ReviewStatus,
)
from velox_commerce.shopping.repository import ProductLookup

__all__ = ["ReviewService"]

ANONYMOUS = "Verified buyer"


class ReviewService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = ReviewRepository(session, store)
        self.products = ProductLookup(session, store)

    async def get(self, review_id: str) -> Review:
        review = await self.repo.get(review_id)
        if review is None:
            raise ResourceNotFound.of("review", review_id)
        return review

    async def create(
        self, product_id: str, data: ReviewCreate, customer: Customer | None
    ) -> Review:
        await self._product(product_id)
        order, reviewer = await self._purchase(product_id, data, customer)
        review = Review(
            id=new_id("rev"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            product_id=product_id,
            reviewer=reviewer,
            customer_id=customer.id if customer is not None else order.customer_id,
            email=customer.email if customer is not None else order.email,
            order_id=order.id,
            author_name=data.author_name or (customer.name if customer else None) or ANONYMOUS,
            rating=data.rating,
            title=data.title,
            body=data.body,
        )
        try:
            async with self.session.begin_nested():
                return await self.repo.add(review)
        except IntegrityError:
            raise DuplicateHandle(
                "This buyer has reviewed this product already (one review each).",
                extensions={"product_id": product_id},
            ) from None

    async def _purchase(
        self, product_id: str, data: ReviewCreate, customer: Customer | None
    ) -> tuple[Order, str]:
        """The order that proves the purchase, and the reviewer it makes."""
        if customer is not None:
            order = await self.repo.purchase(
                product_id, customer_id=customer.id, order_id=data.order_id
            )
            reviewer = f"customer:{customer.id}"
        elif data.order_id is None or data.email is None:
            raise UnprocessableContent(
                "Send X-Customer-Token, or the order_id and email of the order.",
                extensions={"fields": ["order_id", "email"]},
            )
        else:
            order = await self.repo.purchase(product_id, email=data.email, order_id=data.order_id)
            reviewer = ""
        if order is None:
            raise PurchaseNotVerified(
                "No placed or paid order of this store holds this product for this buyer.",
                extensions={"product_id": product_id},
            )
        if not reviewer:
            reviewer = (
                f"customer:{order.customer_id}"
                if order.customer_id
                else f"email:{(order.email or '').lower()}"
            )
        return order, reviewer

    async def moderate(self, review_id: str, data: ModerationIn) -> Review:
        review = await self.get(review_id)
        now = datetime.now(UTC)
        review.status = data.status
        review.moderation_note = data.moderation_note
        review.moderated_at = now
        review.updated_at = now
        await self.session.flush()
        return review

    async def delete(self, review_id: str) -> None:
        await self.repo.delete(await self.get(review_id))

    async def staff_page(
        self,
        *,
        status: ReviewStatus | None,
        product_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[Review]:
        return await self.repo.staff_page(
            status=status, product_id=product_id, limit=limit, cursor=cursor
        )

    async def product_reviews(
        self,
        product_id: str,
        *,
        sort: ReviewSort,
        rating: int | None,
        limit: int,
        cursor: str | None,
    ) -> ProductReviewsOut:
        """A page of the product's approved reviews and its rating summary."""
        await self._product(product_id)
        page = await self.repo.approved_page(
            product_id, sort=sort, rating=rating, limit=limit, cursor=cursor
        )
        counts = await self.repo.distribution(product_id)
        return ProductReviewsOut(
            product_id=product_id,
            rating=RatingSummary(
                average=rating_average(counts), count=sum(counts.values()), distribution=counts
            ),
            items=[PublicReviewOut.model_validate(r) for r in page.items],
            next_cursor=page.next_cursor,
        )

    async def _product(self, product_id: str) -> None:
        if await self.products.one(product_id) is None:
            raise ResourceNotFound.of("product", product_id)
