"""/v1/commerce/stores/{store_id}/returns (and an order's ``/returns``): RMAs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import AccountDep, ContextDep, IdempotencyKey, SessionDep, StoreDep
from velox_commerce.idempotency import fingerprint, once
from velox_commerce.openapi import problems
from velox_commerce.returns.schemas import ReceiveIn, ReturnCreate, ReturnOut, ReturnRefundIn
from velox_commerce.returns.schemas import ReturnStatus as ReturnStatusFilter
from velox_commerce.returns.service import ReturnService

__all__ = ["router"]

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: returns"])

ReturnId = Annotated[str, Path(max_length=40, description="The return's id (`ret_...`).")]
OrderId = Annotated[str, Path(max_length=40, description="The order's id (`ord_...`).")]


@router.post(
    "/orders/{order_id}/returns",
    status_code=status.HTTP_201_CREATED,
    summary="Request a return",
    responses=problems(404, 409, 422),
)
async def create_return(
    order_id: OrderId,
    data: ReturnCreate,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    account: AccountDep,
    idempotency_key: IdempotencyKey = None,
) -> ReturnOut:
    """Opens a return of shipped units not already in another return (409 with
    ``returnable`` when a line asks for more). With an ``Idempotency-Key`` a retried
    call, even one sent at the same moment, answers the first return and opens one."""
    key_print = fingerprint("return", store.id, order_id, data.model_dump_json())
    service = ReturnService(session, store, context)
    return await once(  # type: ignore[return-value]
        session, account, idempotency_key, key_print, lambda: service.create(order_id, data)
    )


@router.get(
    "/orders/{order_id}/returns", summary="List an order's returns", responses=problems(400, 404)
)
async def list_order_returns(
    order_id: OrderId,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ReturnOut]:
    """The returns of one order, newest first (its after-sales history)."""
    service = ReturnService(session, store, context)
    page = await service.of_order(order_id, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/returns", summary="List returns", responses=problems(400, 404, 422))
async def list_returns(
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    status_filter: Annotated[ReturnStatusFilter | None, Query(alias="status")] = None,
    order_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ReturnOut]:
    """The store's returns, newest first, by status or order."""
    page = await ReturnService(session, store, context).page(
        status=status_filter, order_id=order_id, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/returns/{return_id}", summary="Get a return", responses=problems(404))
async def get_return(
    return_id: ReturnId, store: StoreDep, session: SessionDep, context: ContextDep
) -> ReturnOut:
    """One return with its lines."""
    return await ReturnService(session, store, context).get(return_id)


@router.post(
    "/returns/{return_id}/approve", summary="Approve a return", responses=problems(404, 409)
)
async def approve_return(
    return_id: ReturnId, store: StoreDep, session: SessionDep, context: ContextDep
) -> ReturnOut:
    """A requested return is approved: the buyer may send the goods back."""
    return await ReturnService(session, store, context).approve(return_id)


@router.post("/returns/{return_id}/reject", summary="Reject a return", responses=problems(404, 409))
async def reject_return(
    return_id: ReturnId, store: StoreDep, session: SessionDep, context: ContextDep
) -> ReturnOut:
    """A requested or approved return is rejected; its units can be returned again."""
    return await ReturnService(session, store, context).reject(return_id)


@router.post(
    "/returns/{return_id}/receive",
    summary="Receive a return and restock it",
    responses=problems(404, 409, 422),
)
async def receive_return(
    return_id: ReturnId,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    data: ReceiveIn | None = None,
) -> ReturnOut:
    """The goods of an approved return arrived: the ``restock`` lines go back on hand at
    ``location_id`` (default: the store's first location), each written to the stock
    ledger as a ``return`` movement; ``restock: false`` restocks nothing."""
    body = data or ReceiveIn()
    service = ReturnService(session, store, context)
    return await service.receive(return_id, body.location_id, restock=body.restock)


@router.post(
    "/returns/{return_id}/refund",
    summary="Refund a received return",
    responses=problems(402, 404, 409, 422, 503),
)
async def refund_return(
    return_id: ReturnId,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    data: ReturnRefundIn | None = None,
) -> ReturnOut:
    """Refunds, by default, the returned lines' share of what they cost (discounts and
    tax included, shipping not) to what paid the order: the card payment first (through
    Stripe), the rest back onto the gift cards (the card applied last first, each at most
    what it still pays); ``refund_breakdown`` says where it went. More than both can give
    back is a 409 with ``refundable``. Money moves once: a repeated call answers the
    refunded return."""
    return await ReturnService(session, store, context).refund(return_id, data or ReturnRefundIn())


@router.post(
    "/returns/{return_id}/close",
    summary="Close a received return without a refund",
    responses=problems(404, 409),
)
async def close_return(
    return_id: ReturnId, store: StoreDep, session: SessionDep, context: ContextDep
) -> ReturnOut:
    """A received return is settled without a refund (an exchange, store credit)."""
    return await ReturnService(session, store, context).close(return_id)
