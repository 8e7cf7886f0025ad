"""/v1/commerce/stores/{store_id}/search and /categories/{category_id}/products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.search.schemas import ListingOut, ListingParams, SearchOut, SearchParams
from velox_commerce.search.service import SearchService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: search"])

CategoryId = Annotated[str, Path(max_length=40, description="The category's id (`cat_...`).")]


@router.get("/search", summary="Search products", responses=problems(400, 404, 422))
async def search_products(
    params: Annotated[SearchParams, Query()], store: StoreDep, session: SessionDep
) -> SearchOut:
    """Active products matching words (typo tolerant) and filters, sorted and paged, with
    facet counts and the price range of the matches in the same answer."""
    return await SearchService(session, store).search(params)


@router.get(
    "/categories/{category_id}/products",
    summary="List a category's products",
    responses=problems(400, 404, 422),
)
async def category_products(
    category_id: CategoryId,
    params: Annotated[ListingParams, Query()],
    store: StoreDep,
    session: SessionDep,
) -> ListingOut:
    """A category page: the active products of the category and its subcategories as
    cards with prices in the currencies asked for, newest first by default."""
    return await SearchService(session, store).listing(category_id, params)
