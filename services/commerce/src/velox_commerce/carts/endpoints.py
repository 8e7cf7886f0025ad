"""/v1/commerce/stores/{store_id}/carts: guest and customer carts and their totals."""

from __future__ import annotations

from fastapi import APIRouter, status

from velox_commerce.carts.schemas import (
    CartCreate,
    CartLineIn,
    CartLineUpdate,
    CartOut,
    CartUpdate,
    ShippingOption,
)
from velox_commerce.carts.service import CartService
from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}/carts", tags=["commerce: carts"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a cart", responses=problems(404, 422)
)
async def create_cart(
    data: CartCreate, store: StoreDep, session: SessionDep, context: ContextDep
) -> CartOut:
    """A cart in one of the store's currencies, optionally with lines. Guests need no
    customer id; set ``customer_id`` when the buyer signs in."""
    return await CartService(session, store, context.settings).create(data)


@router.get("/{cart_id}", summary="Get a cart with its totals", responses=problems(404))
async def get_cart(
    cart_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> CartOut:
    """Lines at current prices (a changed price shows ``previous_unit_price``), discounts,
    shipping, tax and gift cards, and why a coupon or gift card did not apply."""
    return await CartService(session, store, context.settings).view(cart_id)


@router.patch("/{cart_id}", summary="Update a cart", responses=problems(404, 409, 422))
async def update_cart(
    cart_id: str, data: CartUpdate, store: StoreDep, session: SessionDep, context: ContextDep
) -> CartOut:
    """Set the email, addresses, shipping method, coupon codes or gift card codes."""
    return await CartService(session, store, context.settings).update(cart_id, data)


@router.post("/{cart_id}/lines", summary="Add a line to a cart", responses=problems(404, 409, 422))
async def add_line(
    cart_id: str, data: CartLineIn, store: StoreDep, session: SessionDep, context: ContextDep
) -> CartOut:
    """Adds units of a variant (to its line, if the cart has one)."""
    return await CartService(session, store, context.settings).add_line(cart_id, data)


@router.patch(
    "/{cart_id}/lines/{line_id}",
    summary="Change a line's quantity",
    responses=problems(404, 409, 422),
)
async def update_line(
    cart_id: str,
    line_id: str,
    data: CartLineUpdate,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
) -> CartOut:
    """Sets the quantity; 0 removes the line."""
    service = CartService(session, store, context.settings)
    return await service.update_line(cart_id, line_id, data.quantity)


@router.get(
    "/{cart_id}/shipping-options",
    summary="Shipping methods for a cart",
    responses=problems(404),
)
async def shipping_options(
    cart_id: str, store: StoreDep, session: SessionDep, context: ContextDep
) -> list[ShippingOption]:
    """The methods serving the cart's address (else the store's country) with their price
    for this cart's weight and subtotal."""
    return await CartService(session, store, context.settings).shipping_options(cart_id)
