"""/v1/commerce/stores: the shops of the calling account."""

from __future__ import annotations

from fastapi import APIRouter, status
from velox_shared.auth import CurrentIdentity
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import AccountDep, SessionDep
from velox_commerce.limits import STORES
from velox_commerce.openapi import problems
from velox_commerce.stores.schemas import StoreCreate, StoreOut, StoreUpdate
from velox_commerce.stores.service import StoreService

router = APIRouter(prefix="/v1/commerce/stores", tags=["commerce: stores"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a store",
    responses=problems(403, 409, 422),
)
async def create_store(
    data: StoreCreate, session: SessionDep, identity: CurrentIdentity
) -> StoreOut:
    """A new shop with its currencies, locale, tax mode (prices with or without tax) and
    payment capture mode. The handle is unique in the account; the plan caps the number
    of stores (403 ``plan-limit-reached``)."""
    service = StoreService(session, identity.account_id)
    store = await service.create(data, cap=identity.limit(STORES))
    return StoreOut.model_validate(store)


@router.get("", summary="List stores")
async def list_stores(
    session: SessionDep, account: AccountDep, limit: LimitParam = 50, cursor: CursorParam = None
) -> Page[StoreOut]:
    """The account's stores, newest first."""
    page = await StoreService(session, account).page(limit=limit, cursor=cursor)
    return Page(
        items=[StoreOut.model_validate(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.get("/{store_id}", summary="Get a store", responses=problems(404))
async def get_store(store_id: str, session: SessionDep, account: AccountDep) -> StoreOut:
    return StoreOut.model_validate(await StoreService(session, account).get(store_id))


@router.patch("/{store_id}", summary="Update a store", responses=problems(404, 409, 422))
async def update_store(
    store_id: str, data: StoreUpdate, session: SessionDep, account: AccountDep
) -> StoreOut:
    """Change the name, currencies, locale, tax mode or capture mode. The default currency
    cannot be removed from the offered currencies."""
    store = await StoreService(session, account).update(store_id, data)
    return StoreOut.model_validate(store)
