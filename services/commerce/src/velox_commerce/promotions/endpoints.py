"""/v1/commerce/stores/{store_id}/promotions: coupons and automatic promotions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.promotions.schemas import (
    CouponCode,
    PromotionCreate,
    PromotionOut,
    PromotionUpdate,
)
from velox_commerce.promotions.service import PromotionService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: promotions"])

PromotionId = Annotated[str, Path(max_length=40, description="The promotion's id (`promo_...`).")]


@router.post(
    "/promotions",
    status_code=status.HTTP_201_CREATED,
    summary="Create a promotion",
    responses=problems(404, 409, 422),
)
async def create_promotion(
    data: PromotionCreate, store: StoreDep, session: SessionDep
) -> PromotionOut:
    """A coupon (with ``code``, unique in the store whatever its case) or an automatic
    promotion (``code`` null): percentage, fixed, free shipping or buy X get Y."""
    promotion = await PromotionService(session, store).create(data)
    return PromotionOut.model_validate(promotion)


@router.get("/promotions", summary="List promotions", responses=problems(400, 404, 422))
async def list_promotions(
    store: StoreDep,
    session: SessionDep,
    active: bool | None = None,
    code: Annotated[CouponCode | None, Query(description="Exact code, any case.")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[PromotionOut]:
    """The store's promotions, newest first; filter by ``active`` or by coupon ``code``."""
    page = await PromotionService(session, store).page(
        active=active, code=code, limit=limit, cursor=cursor
    )
    return Page(
        items=[PromotionOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor
    )


@router.get("/promotions/{promotion_id}", summary="Get a promotion", responses=problems(404, 422))
async def get_promotion(
    promotion_id: PromotionId, store: StoreDep, session: SessionDep
) -> PromotionOut:
    """One promotion, with how often it has been used."""
    return PromotionOut.model_validate(await PromotionService(session, store).get(promotion_id))


@router.patch(
    "/promotions/{promotion_id}",
    summary="Update a promotion",
    responses=problems(404, 409, 422),
)
async def update_promotion(
    promotion_id: PromotionId, data: PromotionUpdate, store: StoreDep, session: SessionDep
) -> PromotionOut:
    """Change any field; the promotion that results must pass the same rules as a new one.
    Carts pick the change up the next time they are priced."""
    promotion = await PromotionService(session, store).update(promotion_id, data)
    return PromotionOut.model_validate(promotion)


@router.delete(
    "/promotions/{promotion_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a promotion",
    responses=problems(404, 422),
)
async def delete_promotion(promotion_id: PromotionId, store: StoreDep, session: SessionDep) -> None:
    """Remove it; carts that entered its code now show an ``invalid-coupon`` problem and
    orders already placed keep their discount. Set ``active`` false to pause it instead."""
    await PromotionService(session, store).delete(promotion_id)
