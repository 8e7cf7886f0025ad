"""Customer rules for staff: one customer per email in a store whatever its case, groups of
the same store with unique names, at most one default shipping and one default billing
address per customer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.customers.repository import (
    AddressRepository,
    CustomerRepository,
    GroupRepository,
)
from velox_commerce.customers.schemas import (
    AddressCreate,
    AddressOut,
    AddressUpdate,
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
    GroupCreate,
)
from velox_commerce.db.catalog import Store
from velox_commerce.db.customers import Customer, CustomerAddress, CustomerGroup
from velox_commerce.errors import DuplicateHandle, ResourceNotFound

__all__ = ["MAX_ADDRESSES", "CustomerService", "customer_out", "duplicate_email"]

MAX_ADDRESSES = 50


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        id=customer.id,
        store_id=customer.store_id,
        email=customer.email,
        name=customer.name,
        phone=customer.phone,
        group_id=customer.group_id,
        accepts_marketing=customer.accepts_marketing,
        has_password=customer.password_hash is not None,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def duplicate_email(email: str) -> DuplicateHandle:
    return DuplicateHandle(
        f"A customer with email {email!r} exists in this store (emails ignore case).",
        extensions={"email": email},
    )


class CustomerService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.customers = CustomerRepository(session, store)
        self.groups = GroupRepository(session, store)

    async def get(self, customer_id: str, *, lock: bool = False) -> Customer:
        customer = await self.customers.get(customer_id, lock=lock)
        if customer is None:
            raise ResourceNotFound.of("customer", customer_id)
        return customer

    async def page(
        self, *, email: str | None, group_id: str | None, limit: int, cursor: str | None
    ) -> PageResult[Customer]:
        return await self.customers.filtered_page(
            email=email, group_id=group_id, limit=limit, cursor=cursor
        )

    async def create(self, data: CustomerCreate, *, password_hash: str | None = None) -> Customer:
        await self._check_group(data.group_id)
        values: dict[str, Any] = data.model_dump()
        customer = Customer(
            id=new_id("cus"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            password_hash=password_hash,
            **values,
        )
        try:
            async with self.session.begin_nested():
                return await self.customers.add(customer)
        except IntegrityError:
            raise duplicate_email(data.email) from None

    async def update(self, customer_id: str, data: CustomerUpdate) -> Customer:
        customer = await self.get(customer_id, lock=True)
        changes = data.changes()
        await self._check_group(changes.get("group_id"))
        try:
            async with self.session.begin_nested():
                for name, value in changes.items():
                    setattr(customer, name, value)
                customer.updated_at = func.now()
                await self.session.flush()
        except IntegrityError:
            raise duplicate_email(str(changes.get("email"))) from None
        await self.session.refresh(customer)
        return customer

    async def delete(self, customer_id: str) -> None:
        """Its addresses and sessions go with it; its orders keep their ``customer_id``."""
        await self.customers.delete(await self.get(customer_id))

    async def create_group(self, data: GroupCreate) -> CustomerGroup:
        group = CustomerGroup(
            id=new_id("cgrp"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            name=data.name,
        )
        try:
            async with self.session.begin_nested():
                return await self.groups.add(group)
        except IntegrityError:
            raise DuplicateHandle(
                f"A customer group named {data.name!r} exists in this store.",
                extensions={"name": data.name},
            ) from None

    async def groups_page(self, *, limit: int, cursor: str | None) -> PageResult[CustomerGroup]:
        return await self.groups.page(self.groups.query(), limit=limit, cursor=cursor)

    async def _check_group(self, group_id: str | None) -> None:
        if group_id is not None and await self.groups.get(group_id) is None:
            raise UnprocessableContent(
                f"group_id: no customer group {group_id} in this store.",
                extensions={"group_id": group_id},
            )

    async def add_address(self, customer_id: str, data: AddressCreate) -> AddressOut:
        """The first address of a kind becomes the default unless told otherwise; a new
        default replaces the old one."""
        customer = await self.get(customer_id, lock=True)
        repo = AddressRepository(self.session, customer)
        count, has_shipping, has_billing = await repo.count_and_defaults()
        if count >= MAX_ADDRESSES:
            raise UnprocessableContent(f"A customer has at most {MAX_ADDRESSES} addresses.")
        shipping = data.default_shipping
        billing = data.default_billing
        shipping = not has_shipping if shipping is None else shipping
        billing = not has_billing if billing is None else billing
        await repo.clear_defaults(shipping=shipping, billing=billing)
        address = CustomerAddress(
            id=new_id("addr"),
            account_id=customer.account_id,
            customer_id=customer.id,
            address=data.address.model_dump(),
            default_shipping=shipping,
            default_billing=billing,
        )
        return AddressOut.model_validate(await repo.add(address))

    async def addresses(self, customer_id: str) -> list[AddressOut]:
        repo = AddressRepository(self.session, await self.get(customer_id))
        return [AddressOut.model_validate(a) for a in await repo.listing()]

    async def update_address(
        self, customer_id: str, address_id: str, data: AddressUpdate
    ) -> AddressOut:
        customer = await self.get(customer_id, lock=True)
        repo = AddressRepository(self.session, customer)
        address = await repo.get(address_id)
        if address is None:
            raise ResourceNotFound.of("address", address_id)
        changes = data.changes()
        await repo.clear_defaults(
            shipping=changes.get("default_shipping") is True,
            billing=changes.get("default_billing") is True,
        )
        if "address" in changes:
            address.address = changes["address"]
        for name in ("default_shipping", "default_billing"):
            if name in changes:
                setattr(address, name, changes[name])
        await self.session.flush()
        return AddressOut.model_validate(address)

    async def delete_address(self, customer_id: str, address_id: str) -> None:
        """A deleted default leaves the customer without that default."""
        repo = AddressRepository(self.session, await self.get(customer_id))
        address = await repo.get(address_id)
        if address is None:
            raise ResourceNotFound.of("address", address_id)
        await repo.delete(address)
