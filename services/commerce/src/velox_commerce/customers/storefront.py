"""/v1/commerce/stores/{store_id}/customers/register, /login, /logout, /me: the storefront's
calls (with the merchant's API key) for a signed-in customer, named by ``X-Customer-Token``.

Mounted before the staff routes, so ``/customers/me`` is never read as a customer id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, status
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.customers.accounts import CustomerAccounts
from velox_commerce.customers.schemas import (
    AddressCreate,
    AddressOut,
    AddressUpdate,
    CustomerOrderOut,
    CustomerOut,
    LoginIn,
    RegisterIn,
    SessionOut,
)
from velox_commerce.customers.service import CustomerService, customer_out
from velox_commerce.db.customers import Customer
from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.orders.schemas import OrderOut

router = APIRouter(
    prefix="/v1/commerce/stores/{store_id}/customers", tags=["commerce: customer sign-in"]
)

CustomerToken = Annotated[
    str | None,
    Header(
        alias="X-Customer-Token",
        max_length=200,
        description="The token sign-in returned (valid 30 days, until sign-out).",
    ),
]


def _answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``problems(...)`` plus the 401 every sign-in call may answer."""
    unauthorized = {"description": "Not signed in, or a wrong email or password"}
    return {**problems(*statuses), 401: {**unauthorized, "content": {PROBLEM_JSON: {}}}}


async def signed_in(
    store: StoreDep, session: SessionDep, context: ContextDep, token: CustomerToken = None
) -> Customer:
    """The customer of ``X-Customer-Token`` at this store (else 401)."""
    return await CustomerAccounts(session, store, context).current(token)


CustomerDep = Annotated[Customer, Depends(signed_in)]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Register a customer",
    responses=problems(404, 409, 422),
)
async def register(
    data: RegisterIn, store: StoreDep, session: SessionDep, context: ContextDep
) -> SessionOut:
    """A customer account with a password (10 characters or more), signed in at once. An
    email the store already has is a 409. With ``cart_id`` the guest's cart becomes the
    customer's."""
    return await CustomerAccounts(session, store, context).register(data)


@router.post("/login", summary="Sign a customer in", responses=_answers(404, 409, 422))
async def login(
    data: LoginIn, store: StoreDep, session: SessionDep, context: ContextDep
) -> SessionOut:
    """A token for the customer's email and password; a wrong email and a wrong password
    get the same 401. With ``cart_id`` the guest's cart becomes the customer's and takes in
    the lines of their previous open cart, prices requoted; ``cart_id`` in the answer is
    the cart to keep using (the customer's latest open cart when none was sent)."""
    return await CustomerAccounts(session, store, context).login(data)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign a customer out",
    responses=_answers(404),
)
async def logout(
    store: StoreDep, session: SessionDep, context: ContextDep, token: CustomerToken = None
) -> None:
    """Ends the session of ``X-Customer-Token``; the token stops working at once."""
    await CustomerAccounts(session, store, context).logout(token)


@router.get("/me", summary="The signed-in customer", responses=_answers(404))
async def me(customer: CustomerDep) -> CustomerOut:
    return customer_out(customer)


@router.get("/me/orders", summary="The signed-in customer's orders", responses=_answers(400, 404))
async def my_orders(
    customer: CustomerDep,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[OrderOut]:
    """Orders placed with the customer's id, newest first (guest orders are not listed)."""
    page = await CustomerAccounts(session, store, context).orders(
        customer, limit=limit, cursor=cursor
    )
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get(
    "/me/orders/{order_id}",
    summary="One of the signed-in customer's orders",
    responses=_answers(404, 422),
)
async def my_order(
    order_id: Annotated[str, Path(max_length=40, description="The order's id (`ord_...`).")],
    customer: CustomerDep,
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
) -> CustomerOrderOut:
    """The order with the notes the store made public; another customer's order, or a
    guest order, is a 404."""
    return await CustomerAccounts(session, store, context).order(customer, order_id)


@router.get("/me/addresses", summary="The signed-in customer's addresses", responses=_answers(404))
async def my_addresses(
    customer: CustomerDep, store: StoreDep, session: SessionDep
) -> list[AddressOut]:
    """Oldest first (at most 50)."""
    return await CustomerService(session, store).addresses(customer.id)


@router.post(
    "/me/addresses",
    status_code=status.HTTP_201_CREATED,
    summary="Add an address for the signed-in customer",
    responses=_answers(404, 422),
)
async def add_my_address(
    data: AddressCreate, customer: CustomerDep, store: StoreDep, session: SessionDep
) -> AddressOut:
    """The first address becomes the default shipping and billing one unless told
    otherwise; a new default replaces the previous one. At most 50."""
    return await CustomerService(session, store).add_address(customer.id, data)


MyAddressId = Annotated[str, Path(max_length=40, description="The address's id (`addr_...`).")]


@router.patch(
    "/me/addresses/{address_id}",
    summary="Update an address of the signed-in customer",
    responses=_answers(404, 422),
)
async def update_my_address(
    address_id: MyAddressId,
    data: AddressUpdate,
    customer: CustomerDep,
    store: StoreDep,
    session: SessionDep,
) -> AddressOut:
    """Replace it, or make it a default; another customer's address is a 404."""
    return await CustomerService(session, store).update_address(customer.id, address_id, data)


@router.delete(
    "/me/addresses/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an address of the signed-in customer",
    responses=_answers(404, 422),
)
async def delete_my_address(
    address_id: MyAddressId,
    customer: CustomerDep,
    store: StoreDep,
    session: SessionDep,
) -> None:
    """Another customer's address is a 404."""
    await CustomerService(session, store).delete_address(customer.id, address_id)
