"""/v1/commerce/stores/{store_id}/orders/{order_id}/edits: order edits before fulfilment."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from velox_commerce.deps import AccountDep, ContextDep, IdempotencyKey, SessionDep, StoreDep
from velox_commerce.edits.schemas import EditIn, EditOut
from velox_commerce.edits.service import EditService
from velox_commerce.idempotency import fingerprint, once
from velox_commerce.notes.endpoints import OrderId
from velox_commerce.openapi import problems
from velox_shared.auth import CurrentIdentity
from velox_shared.pagination import CursorParam, LimitParam, Page

router = APIRouter(
    prefix="/v1/commerce/stores/{store_id}/orders/{order_id}/edits", tags=["commerce: orders"]
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Edit an order before fulfilment",
    responses=problems(402, 404, 409, 422, 503),
)
async def edit_order(
    order_id: OrderId,
    data: EditIn,
    response: Response,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    account: AccountDep,
    identity: CurrentIdentity,
    idempotency_key: IdempotencyKey = None,
) -> EditOut:
    """Changes quantities, removes lines and adds variants of an order not yet fulfilled.
    Kept lines keep their unit price; an added one costs what a cart line of the order's
    customer would now (sale, price lists and tiers included). Totals are recomputed,
    stock allocated or released, and a captured payment refunded the difference. A
    fulfilled, cancelled or refunded order, and an edit costing more than the buyer
    authorised or paid, are a 409. With an ``Idempotency-Key`` a retried call, even one
    sent at the same moment, answers the first edit and edits once."""
    key_print = fingerprint("order-edit", store.id, order_id, data.model_dump_json())
    service = EditService(session, store, context)
    return await once(  # type: ignore[return-value]
        session,
        account,
        idempotency_key,
        key_print,
        lambda: service.apply(order_id, data, identity.principal_id),
    )


@router.get("", summary="List an order's edits", responses=problems(400, 404, 422))
async def list_edits(
    order_id: OrderId,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[EditOut]:
    """The order's edits, newest first, each with what it changed and did to the payment."""
    page = await EditService(session, store, context).page(order_id, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)
