"""/v1/commerce/stores/{store_id}/variants/{variant_id}/bundle and /bundles: bundles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.bundles.schemas import BundleIn, BundleOut
from velox_commerce.bundles.service import BundleService
from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: bundles"])

VariantId = Annotated[str, Path(max_length=40, description="The bundle variant's id (`var_...`).")]


@router.put(
    "/variants/{variant_id}/bundle",
    summary="Make a variant a bundle",
    responses=problems(404, 409, 422),
)
async def put_bundle(
    variant_id: VariantId, data: BundleIn, store: StoreDep, session: SessionDep
) -> BundleOut:
    """Sets the variant's components (other plain variants of the store, with the units of
    each in one bundle), replacing any it had. Its stock is then derived from theirs and a
    sale takes theirs."""
    return await BundleService(session, store).put(variant_id, data)


@router.get("/variants/{variant_id}/bundle", summary="Get a bundle", responses=problems(404, 422))
async def get_bundle(variant_id: VariantId, store: StoreDep, session: SessionDep) -> BundleOut:
    """The bundle's components and the bundles their stock makes now."""
    return await BundleService(session, store).get(variant_id)


@router.delete(
    "/variants/{variant_id}/bundle",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a variant being a bundle",
    responses=problems(404, 422),
)
async def delete_bundle(variant_id: VariantId, store: StoreDep, session: SessionDep) -> None:
    """The variant keeps its product and price; it has no stock until some is received."""
    await BundleService(session, store).delete(variant_id)


@router.get("/bundles", summary="List bundles", responses=problems(400, 404, 422))
async def list_bundles(
    store: StoreDep, session: SessionDep, limit: LimitParam = 50, cursor: CursorParam = None
) -> Page[BundleOut]:
    """The store's bundle variants, newest first, with their derived stock."""
    page = await BundleService(session, store).page(limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)
