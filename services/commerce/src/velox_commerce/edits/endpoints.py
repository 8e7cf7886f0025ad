"""/v1/commerce/stores/{store_id}/orders/{order_id}/edits: order edits before fulfilment."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse
from velox_commerce.deps import AccountDep, ContextDep, IdempotencyKey, SessionDep, StoreDep
from velox_commerce.edits.schemas import EditIn, EditOut
from velox_commerce.edits.service import EditService
from velox_commerce.idempotency import fingerprint, recall, remember
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
    authorised or paid, are a 409."""
    key_print = fingerprint("order-edit", store.id, order_id, data.model_dump_json())
    if idempotency_key is not None:
        replay = await recall(session, account, idempotency_key, key_print)
        if replay is not None:
            return JSONResponse(replay[1], status_code=replay[0])  # type: ignore[return-value]
    out = await EditService(session, store, context).apply(order_id, data, identity.principal_id)
    if idempotency_key is not None:
        body = out.model_dump(mode="json")
        await remember(session, account, idempotency_key, key_print, 201, body)
    return out


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
