"""/v1/commerce/stores/{store_id}/customers and /customer-groups: the staff's view of store
customers (distinct from Velox users), their addresses and groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.customers.schemas import (
    AddressCreate,
    AddressOut,
    AddressUpdate,
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
    GroupCreate,
    GroupOut,
)
from velox_commerce.customers.service import CustomerService, customer_out
from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: customers"])

CustomerId = Annotated[str, Path(max_length=40, description="The customer's id (`cus_...`).")]
AddressId = Annotated[str, Path(max_length=40, description="The address's id (`addr_...`).")]


@router.post(
    "/customer-groups",
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer group",
    responses=problems(404, 409, 422),
)
async def create_group(data: GroupCreate, store: StoreDep, session: SessionDep) -> GroupOut:
    """Customers sharing prices (wholesale, a B2B partner): price lists can target a group.
    Names are unique in the store."""
    return GroupOut.model_validate(await CustomerService(session, store).create_group(data))


@router.get("/customer-groups", summary="List customer groups", responses=problems(400, 404))
async def list_groups(
    store: StoreDep, session: SessionDep, limit: LimitParam = 50, cursor: CursorParam = None
) -> Page[GroupOut]:
    """The store's groups, newest first."""
    page = await CustomerService(session, store).groups_page(limit=limit, cursor=cursor)
    return Page(
        items=[GroupOut.model_validate(g) for g in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/customers",
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer",
    responses=problems(404, 409, 422),
)
async def create_customer(
    data: CustomerCreate, store: StoreDep, session: SessionDep
) -> CustomerOut:
    """A customer with no password (they cannot sign in until they have one). Emails are
    unique in the store whatever their case (409)."""
    return customer_out(await CustomerService(session, store).create(data))


@router.get("/customers", summary="List customers", responses=problems(400, 404, 422))
async def list_customers(
    store: StoreDep,
    session: SessionDep,
    email: Annotated[str | None, Query(max_length=320, description="Exact, any case.")] = None,
    group_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[CustomerOut]:
    """The store's customers, newest first; filter by email or group."""
    page = await CustomerService(session, store).page(
        email=email, group_id=group_id, limit=limit, cursor=cursor
    )
    return Page(items=[customer_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/customers/{customer_id}", summary="Get a customer", responses=problems(404, 422))
async def get_customer(
    customer_id: CustomerId, store: StoreDep, session: SessionDep
) -> CustomerOut:
    return customer_out(await CustomerService(session, store).get(customer_id))


@router.patch(
    "/customers/{customer_id}", summary="Update a customer", responses=problems(404, 409, 422)
)
async def update_customer(
    customer_id: CustomerId, data: CustomerUpdate, store: StoreDep, session: SessionDep
) -> CustomerOut:
    """Change the email (unique in the store), name, phone, group or marketing consent."""
    return customer_out(await CustomerService(session, store).update(customer_id, data))


@router.delete(
    "/customers/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a customer",
    responses=problems(404, 422),
)
async def delete_customer(customer_id: CustomerId, store: StoreDep, session: SessionDep) -> None:
    """Removes the customer with their addresses and sessions; their orders stay, with
    their ``customer_id``."""
    await CustomerService(session, store).delete(customer_id)


@router.post(
    "/customers/{customer_id}/addresses",
    status_code=status.HTTP_201_CREATED,
    summary="Add an address to a customer",
    responses=problems(404, 422),
)
async def add_address(
    customer_id: CustomerId, data: AddressCreate, store: StoreDep, session: SessionDep
) -> AddressOut:
    """At most 50 per customer. The first address becomes the default shipping and
    billing address unless told otherwise; a new default replaces the previous one."""
    return await CustomerService(session, store).add_address(customer_id, data)


@router.get(
    "/customers/{customer_id}/addresses",
    summary="List a customer's addresses",
    responses=problems(404, 422),
)
async def list_addresses(
    customer_id: CustomerId, store: StoreDep, session: SessionDep
) -> list[AddressOut]:
    """Oldest first."""
    return await CustomerService(session, store).addresses(customer_id)


@router.patch(
    "/customers/{customer_id}/addresses/{address_id}",
    summary="Update a customer's address",
    responses=problems(404, 422),
)
async def update_address(
    customer_id: CustomerId,
    address_id: AddressId,
    data: AddressUpdate,
    store: StoreDep,
    session: SessionDep,
) -> AddressOut:
    """Replace the address, or make it the default shipping or billing one (the previous
    default of that kind stops being one)."""
    return await CustomerService(session, store).update_address(customer_id, address_id, data)


@router.delete(
    "/customers/{customer_id}/addresses/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a customer's address",
    responses=problems(404, 422),
)
async def delete_address(
    customer_id: CustomerId, address_id: AddressId, store: StoreDep, session: SessionDep
) -> None:
    """A deleted default leaves the customer without that default."""
    await CustomerService(session, store).delete_address(customer_id, address_id)
