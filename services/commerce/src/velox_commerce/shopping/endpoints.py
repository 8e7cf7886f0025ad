"""/v1/commerce/stores/{store_id}/wishlist, /recently-viewed (a shopper's lists, named by
``X-Customer-Token`` or ``X-Guest-Token``) and /compare."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.shopping.schemas import (
    ClaimOut,
    ComparisonOut,
    RecentlyViewedOut,
    ViewIn,
    WishlistItemOut,
)
from velox_commerce.shopping.service import (
    COMPARE_MAX,
    RECENT_KEPT,
    ComparisonService,
    GuestListsService,
    RecentlyViewedService,
    WishlistService,
)
from velox_commerce.shopping.shopper import GuestAndCustomerDep, ShopperDep, with_sign_in

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: shopping"])

ProductId = Annotated[str, Path(max_length=40, description="The product's id (`prod_...`).")]


@router.get("/wishlist", summary="List the wishlist", responses=with_sign_in(problems(400, 404)))
async def list_wishlist(
    owner: ShopperDep,
    store: StoreDep,
    session: SessionDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[WishlistItemOut]:
    """The shopper's wishlist, latest additions first, with current prices and stock."""
    page = await WishlistService(session, store).page(owner, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.put(
    "/wishlist/{product_id}",
    summary="Add a product to the wishlist",
    responses=with_sign_in(problems(404, 409)),
)
async def add_to_wishlist(
    product_id: ProductId, owner: ShopperDep, store: StoreDep, session: SessionDep
) -> WishlistItemOut:
    """Adds an active product; adding it again changes nothing. At most 500 products
    (409 `list-full`)."""
    return await WishlistService(session, store).add(owner, product_id)


@router.delete(
    "/wishlist/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a product from the wishlist",
    responses=with_sign_in(problems(404)),
)
async def remove_from_wishlist(
    product_id: ProductId, owner: ShopperDep, store: StoreDep, session: SessionDep
) -> None:
    await WishlistService(session, store).remove(owner, product_id)


@router.post(
    "/recently-viewed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Record a product view",
    responses=with_sign_in(problems(404, 422)),
)
async def record_view(
    data: ViewIn, owner: ShopperDep, store: StoreDep, session: SessionDep
) -> None:
    """The shopper viewed an active product now; the 50 latest products are kept."""
    await RecentlyViewedService(session, store).record(owner, data.product_id)


@router.get(
    "/recently-viewed",
    summary="List recently viewed products",
    responses=with_sign_in(problems(404, 422)),
)
async def recently_viewed(
    owner: ShopperDep,
    store: StoreDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=RECENT_KEPT, description="How many (1-50).")] = 12,
    exclude: Annotated[
        str | None, Query(max_length=40, description="Leave out this product (the one shown).")
    ] = None,
) -> RecentlyViewedOut:
    """The last `limit` distinct products the shopper viewed that are still on sale, the
    latest first."""
    return await RecentlyViewedService(session, store).latest(owner, limit=limit, exclude=exclude)


@router.delete(
    "/recently-viewed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Clear recently viewed products",
    responses=with_sign_in(problems(404)),
)
async def clear_recently_viewed(owner: ShopperDep, store: StoreDep, session: SessionDep) -> None:
    await RecentlyViewedService(session, store).clear(owner)


@router.post(
    "/guest-lists/claim",
    summary="Give a guest's lists to the signed-in customer",
    responses=with_sign_in(problems(404, 422)),
)
async def claim_guest_lists(
    owners: GuestAndCustomerDep, store: StoreDep, session: SessionDep
) -> ClaimOut:
    """Right after sign-in, with both `X-Customer-Token` and `X-Guest-Token`: the guest's
    wishlist and recently viewed products join the customer's (the guest's lists are then
    empty). Safe to call twice."""
    guest, customer = owners
    return await GuestListsService(session, store).claim(guest, customer)


@router.get("/compare", summary="Compare products", responses=problems(404, 422))
async def compare_products(
    store: StoreDep,
    session: SessionDep,
    product_ids: Annotated[
        list[Annotated[str, Query(max_length=40)]],
        Query(
            min_length=1,
            max_length=COMPARE_MAX,
            description="2 to 4 active products: `?product_ids=prod_a&product_ids=prod_b`.",
        ),
    ],
) -> ComparisonOut:
    """Attributes, options, prices, stock and rating side by side, under the union of the
    products' attribute and option names."""
    return await ComparisonService(session, store).compare(product_ids)
