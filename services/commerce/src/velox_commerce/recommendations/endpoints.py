"""/v1/commerce/stores/{store_id}/products/{product_id}/frequently-bought-together."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.recommendations.schemas import FrequentlyBoughtOut
from velox_commerce.recommendations.service import RecommendationService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: recommendations"])


@router.get(
    "/products/{product_id}/frequently-bought-together",
    summary="Products frequently bought together",
    responses=problems(404, 422),
)
async def frequently_bought_together(
    product_id: Annotated[str, Path(max_length=40, description="The product's id (`prod_...`).")],
    store: StoreDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=20, description="How many (1-20).")] = 4,
) -> FrequentlyBoughtOut:
    """The active products most often in the same orders as this one (among its latest
    5,000 placed or paid orders), the most frequent first; empty without order history."""
    return await RecommendationService(session, store).bought_together(product_id, limit=limit)
