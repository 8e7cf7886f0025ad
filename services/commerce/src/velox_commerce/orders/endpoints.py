"""/v1/commerce/stores/{store_id}/orders: history, capture, refunds, cancel, fulfilment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import AccountDep, ContextDep, IdempotencyKey, SessionDep, StoreDep
from velox_commerce.idempotency import IdempotencyKeyReused, fingerprint, once
from velox_commerce.openapi import problems
from velox_commerce.orders.refunds import RefundKeyUsed, refund_out
from velox_commerce.orders.schemas import CaptureIn, FulfillmentIn, OrderOut, RefundIn, RefundOut
from velox_commerce.orders.service import OrderService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}/orders", tags=["commerce: orders"])

OrderStatus = Literal["placed", "paid", "partially_fulfilled", "fulfilled", "cancelled", "refunded"]


@router.get("", summary="List orders", responses=problems(404))
async def list_orders(
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    status_filter: Annotated[OrderStatus | None, Query(alias="status")] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[OrderOut]:
    """The store's orders, newest first; ``customer_id`` gives one customer's history."""
    page = await OrderService(session, store, context).page(
        customer_id=customer_id, status=status_filter, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/{order_id}", summary="Get an order", responses=problems(404))
async def get_order(
    order_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> OrderOut:
    return await OrderService(session, store, context).view(order_id)


@router.post(
    "/{order_id}/capture", summary="Capture the payment", responses=problems(402, 404, 409, 503)
)
async def capture_order(
    order_id: str, data: CaptureIn, store: StoreDep, session: SessionDep, context: ContextDep
) -> OrderOut:
    """Takes the authorised money (all, or ``amount`` releasing the rest)."""
    return await OrderService(session, store, context).capture(order_id, data.amount)


@router.post(
    "/{order_id}/refunds",
    status_code=status.HTTP_201_CREATED,
    summary="Refund part or all of an order",
    responses=problems(402, 404, 409, 503),
)
async def refund_order(
    order_id: str,
    data: RefundIn,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    account: AccountDep,
    idempotency_key: IdempotencyKey = None,
) -> RefundOut:
    """Refunds ``amount`` to what paid the order: the card payment first (through
    Stripe, at most what was captured and not yet refunded), the rest back onto the gift
    cards (the card applied last first, each at most what it paid); ``breakdown`` says
    where it went. More than that is a 409 with ``refundable``. With an
    ``Idempotency-Key`` a retried call, even one sent at the same moment, answers the
    first refund and refunds once."""
    key_print = fingerprint("order-refund", store.id, order_id, data.model_dump_json())
    service = OrderService(session, store, context)

    async def refund() -> RefundOut:
        try:
            return await service.refund(
                order_id, data.amount, data.reason, idempotency_key=idempotency_key
            )
        except RefundKeyUsed as used:  # the key's kept answer is gone: its refund answers
            if used.refund.order_id != order_id:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used for a different request; use a new key."
                ) from None
            return refund_out(used.refund)

    answer = await once(session, account, idempotency_key, key_print, refund)
    return answer  # type: ignore[return-value]


@router.post("/{order_id}/cancel", summary="Cancel an order", responses=problems(404, 409, 503))
async def cancel_order(
    order_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> OrderOut:
    """Cancels an order not yet fulfilled: its stock goes back, an authorisation is voided,
    a captured payment refunded and the gift cards that paid credited back."""
    return await OrderService(session, store, context).cancel(order_id)


@router.post(
    "/{order_id}/fulfillments",
    status_code=status.HTTP_201_CREATED,
    summary="Fulfil units of an order",
    responses=problems(404, 409, 422),
)
async def fulfil_order(
    order_id: str, data: FulfillmentIn, store: StoreDep, session: SessionDep, context: ContextDep
) -> OrderOut:
    """Ships units with a carrier and tracking number; they leave the stock of the
    locations they were allocated at. The order becomes partially fulfilled or fulfilled."""
    return await OrderService(session, store, context).fulfil(order_id, data)


@router.get(
    "/{order_id}/fulfillments", summary="List an order's fulfilments", responses=problems(404)
)
async def list_fulfillments(
    order_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> list[dict[str, Any]]:
    return await OrderService(session, store, context).fulfillments(order_id)
