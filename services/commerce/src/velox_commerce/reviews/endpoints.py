"""/v1/commerce/stores/{store_id}/products/{product_id}/reviews (buyers write, shoppers read
approved ones) and /reviews (staff moderate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.reviews.schemas import (
    ModerationIn,
    ProductReviewsOut,
    ReviewCreate,
    ReviewOut,
    ReviewSort,
    ReviewStatus,
)
from velox_commerce.reviews.service import ReviewService
from velox_commerce.shopping.shopper import MaybeCustomerDep, with_sign_in

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: reviews"])

ProductId = Annotated[str, Path(max_length=40, description="The product's id (`prod_...`).")]
ReviewId = Annotated[str, Path(max_length=40, description="The review's id (`rev_...`).")]


@router.post(
    "/products/{product_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    summary="Review a bought product",
    responses=with_sign_in(problems(404, 409, 422)),
)
async def create_review(
    product_id: ProductId,
    data: ReviewCreate,
    store: StoreDep,
    session: SessionDep,
    customer: MaybeCustomerDep,
) -> ReviewOut:
    """One review per buyer and product, from a placed or paid order of this store holding
    the product (409 `purchase-not-verified` otherwise, 409 `duplicate` for a second one).
    A signed-in customer sends `X-Customer-Token`; a guest sends the order's `order_id` and
    `email`. The review waits for moderation (`pending`)."""
    review = await ReviewService(session, store).create(product_id, data, customer)
    return ReviewOut.model_validate(review)


@router.get(
    "/products/{product_id}/reviews",
    summary="List a product's approved reviews",
    responses=problems(400, 404, 422),
)
async def product_reviews(
    product_id: ProductId,
    store: StoreDep,
    session: SessionDep,
    sort: ReviewSort = "newest",
    rating: Annotated[int | None, Query(ge=1, le=5, description="Only this many stars.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")] = 20,
    cursor: CursorParam = None,
) -> ProductReviewsOut:
    """Approved reviews only, with the product's average rating, count and stars
    distribution; sorted `newest`, `oldest`, `highest` or `lowest` (then newest)."""
    return await ReviewService(session, store).product_reviews(
        product_id, sort=sort, rating=rating, limit=limit, cursor=cursor
    )


@router.get("/reviews", summary="List reviews for moderation", responses=problems(400, 404, 422))
async def list_reviews(
    store: StoreDep,
    session: SessionDep,
    status_filter: Annotated[ReviewStatus | None, Query(alias="status")] = None,
    product_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ReviewOut]:
    """The store's reviews of every status, newest first; `status=pending` is the queue."""
    page = await ReviewService(session, store).staff_page(
        status=status_filter, product_id=product_id, limit=limit, cursor=cursor
    )
    return Page(
        items=[ReviewOut.model_validate(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get("/reviews/{review_id}", summary="Get a review", responses=problems(404))
async def get_review(review_id: ReviewId, store: StoreDep, session: SessionDep) -> ReviewOut:
    return ReviewOut.model_validate(await ReviewService(session, store).get(review_id))


@router.patch("/reviews/{review_id}", summary="Moderate a review", responses=problems(404, 422))
async def moderate_review(
    review_id: ReviewId, data: ModerationIn, store: StoreDep, session: SessionDep
) -> ReviewOut:
    """`approved` publishes the review and counts it in the product's rating; `rejected`
    hides it (an approved review can be rejected later, and the other way round)."""
    review = await ReviewService(session, store).moderate(review_id, data)
    return ReviewOut.model_validate(review)


@router.delete(
    "/reviews/{review_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a review",
    responses=problems(404),
)
async def delete_review(review_id: ReviewId, store: StoreDep, session: SessionDep) -> None:
    """Removes the review for good; the buyer may then write a new one."""
    await ReviewService(session, store).delete(review_id)
