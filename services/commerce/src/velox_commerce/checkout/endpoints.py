"""/v1/commerce/stores/{store_id}/carts/{cart_id}/checkout and /complete."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from velox_shared.contracts.usage import USAGE_UNITS_HEADER

from velox_commerce.checkout.schemas import CheckoutOut
from velox_commerce.checkout.service import CheckoutService
from velox_commerce.deps import AccountDep, ContextDep, IdempotencyKey, SessionDep, StoreDep
from velox_commerce.idempotency import fingerprint, recall, remember
from velox_commerce.openapi import problems
from velox_commerce.orders.schemas import OrderOut
from velox_commerce.orders.service import OrderService

router = APIRouter(prefix="/v1/commerce/stores/{store_id}/carts", tags=["commerce: checkout"])


@router.post(
    "/{cart_id}/checkout",
    summary="Start checkout: reserve stock, open the payment",
    responses=problems(402, 404, 409, 503),
)
async def start_checkout(
    cart_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> CheckoutOut:
    """Checks the cart, reserves its stock for the store's reservation time and opens a
    Stripe PaymentIntent for the amount due (authorise only; captured when the order is
    placed, or later by staff). Calling it again renews the reservation and reuses the
    payment (its amount follows the cart). Every reason the cart cannot check out comes
    at once in a 409 `checkout-refused` with a `problems` list."""
    return await CheckoutService(session, store, context).start(cart_id)


@router.post(
    "/{cart_id}/complete",
    status_code=201,
    summary="Complete checkout: place the order",
    responses={
        200: {"description": "The order placed earlier for this cart", "model": OrderOut},
        **problems(402, 404, 409, 503),
    },
)
async def complete_checkout(
    cart_id: str,
    request: Request,
    response: Response,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    account: AccountDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderOut:
    """The buyer's return after authorising the payment. Places the order exactly once:
    a second call (or Stripe's webhook arriving first) gives the same order with a 200.
    Refusals (`out-of-stock`, `reservation-expired`, `price-changed`, `invalid-coupon`,
    `payment-not-authorized`, ...) come as a 409 `checkout-refused` listing every problem;
    an authorised payment for an order that cannot be placed is released."""
    key_print = fingerprint("complete", store.id, cart_id)
    if idempotency_key is not None:
        replay = await recall(session, account, idempotency_key, key_print)
        if replay is not None:
            return JSONResponse(  # type: ignore[return-value]
                replay[1], status_code=replay[0], headers={USAGE_UNITS_HEADER: "0"}
            )
    placed = await CheckoutService(session, store, context).complete(cart_id)
    order, created = placed.order, placed.created
    orders = OrderService(session, store, context)
    if created and store.capture_on_order and order.payment_status == "authorized":
        out = await orders.capture(order.id, None)
    else:
        out = placed.out or await orders.view(order.id)
    response.status_code = 201 if created else 200
    # Orders are counted by the gateway from `commerce.order.placed` (the webhook places
    # them too, with no proxied call to count): this call itself uses no units.
    response.headers[USAGE_UNITS_HEADER] = "0"
    if idempotency_key is not None:
        await remember(
            session,
            account,
            idempotency_key,
            key_print,
            response.status_code,
            out.model_dump(mode="json"),
        )
    return out
