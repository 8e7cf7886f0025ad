"""Customer, group, address and session queries; every one filters by account and store
(addresses and sessions through their customer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import Cart
from velox_commerce.db.customers import (
    Customer,
    CustomerAddress,
    CustomerGroup,
    CustomerSession,
)
from velox_commerce.repository import StoreRepository

__all__ = [
    "AddressRepository",
    "CartMergeRepository",
    "CustomerRepository",
    "GroupRepository",
    "MovableLine",
    "SessionRepository",
]


class GroupRepository(StoreRepository[CustomerGroup]):
    model = CustomerGroup


class CustomerRepository(StoreRepository[Customer]):
    model = Customer

    async def filtered_page(
        self, *, email: str | None, group_id: str | None, limit: int, cursor: str | None
    ) -> PageResult[Customer]:
        query = self.query()
        if email is not None:
            query = query.where(func.lower(Customer.email) == email.lower())
        if group_id is not None:
            query = query.where(Customer.group_id == group_id)
        return await self.page(query, limit=limit, cursor=cursor)

    async def by_email(self, email: str) -> Customer | None:
        """The customer of this email, whatever its case."""
        result: Customer | None = await self.session.scalar(
            self.query().where(func.lower(Customer.email) == email.strip().lower())
        )
        return result


class AddressRepository:
    """Addresses of one customer (already checked to be the store's)."""

    def __init__(self, session: AsyncSession, customer: Customer) -> None:
        self.session = session
        self.customer = customer

    def _query(self) -> Any:
        return select(CustomerAddress).where(
            CustomerAddress.customer_id == self.customer.id,
            CustomerAddress.account_id == self.customer.account_id,
        )

    async def listing(self) -> list[CustomerAddress]:
        query = self._query().order_by(CustomerAddress.created_at, CustomerAddress.id)
        return list(await self.session.scalars(query))

    async def get(self, address_id: str) -> CustomerAddress | None:
        result: CustomerAddress | None = await self.session.scalar(
            self._query().where(CustomerAddress.id == address_id)
        )
        return result

    async def count_and_defaults(self) -> tuple[int, bool, bool]:
        """How many addresses, and whether one is the default shipping / billing one."""
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.bool_or(CustomerAddress.default_shipping),
                    func.bool_or(CustomerAddress.default_billing),
                ).where(CustomerAddress.customer_id == self.customer.id)
            )
        ).one()
        return int(row[0]), bool(row[1]), bool(row[2])

    async def clear_defaults(self, *, shipping: bool, billing: bool) -> None:
        values = {}
        if shipping:
            values["default_shipping"] = False
        if billing:
            values["default_billing"] = False
        if values:
            await self.session.execute(
                update(CustomerAddress)
                .where(CustomerAddress.customer_id == self.customer.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def add(self, address: CustomerAddress) -> CustomerAddress:
        self.session.add(address)
        await self.session.flush()
        await self.session.refresh(address)
        return address

    async def delete(self, address: CustomerAddress) -> None:
        await self.session.delete(address)
        await self.session.flush()


class SessionRepository:
    """Customer sessions of a store, found by the SHA-256 of their token."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    async def add(self, token_hash: str, customer: Customer, expires_at: datetime) -> None:
        self.session.add(
            CustomerSession(
                token_hash=token_hash,
                account_id=self.account_id,
                customer_id=customer.id,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def customer(self, token_hash: str) -> Customer | None:
        """The store's customer signed in with this token, while it has not expired."""
        result: Customer | None = await self.session.scalar(
            select(Customer)
            .join(CustomerSession, CustomerSession.customer_id == Customer.id)
            .where(
                CustomerSession.token_hash == token_hash,
                CustomerSession.account_id == self.account_id,
                CustomerSession.expires_at > func.now(),
                Customer.account_id == self.account_id,
                Customer.store_id == self.store_id,
            )
        )
        return result

    async def delete(self, token_hash: str) -> None:
        await self.session.execute(
            delete(CustomerSession).where(
                CustomerSession.token_hash == token_hash,
                CustomerSession.account_id == self.account_id,
            )
        )

    async def delete_expired(self, customer_id: str) -> None:
        await self.session.execute(
            delete(CustomerSession).where(
                CustomerSession.customer_id == customer_id,
                CustomerSession.expires_at <= func.now(),
            )
        )


@dataclass(frozen=True, slots=True)
class MovableLine:
    """A line another cart can take, with its variant's base price in that cart's currency."""

    id: str
    variant_id: str
    quantity: int
    price: int


class CartMergeRepository:
    """The cart queries of a sign-in: the customer's open cart and moving lines."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    async def lock_customer(self, customer_id: str) -> None:
        await self.session.execute(
            select(Customer.id)
            .where(
                Customer.id == customer_id,
                Customer.account_id == self.account_id,
                Customer.store_id == self.store_id,
            )
            .with_for_update()
        )

    async def latest_open_cart(self, customer_id: str, *, besides: str | None) -> Cart | None:
        """The customer's most recently changed open cart (other than ``besides``), locked."""
        query = select(Cart).where(
            Cart.account_id == self.account_id,
            Cart.store_id == self.store_id,
            Cart.customer_id == customer_id,
            Cart.status == "open",
        )
        if besides is not None:
            query = query.where(Cart.id != besides)
        query = query.order_by(Cart.updated_at.desc(), Cart.id.desc()).limit(1)
        result: Cart | None = await self.session.scalar(
            query.with_for_update().execution_options(populate_existing=True)
        )
        return result

    async def movable_lines(self, cart_id: str, currency: str) -> list[MovableLine]:
        """Lines of ``cart_id`` another cart in ``currency`` can take: their product is
        active and their variant has a price in that currency."""
        rows = await self.session.execute(
            text(
                """
                SELECT cl.id, cl.variant_id, cl.quantity, vp.amount FROM commerce.cart_lines cl
                JOIN commerce.variants v ON v.id = cl.variant_id
                JOIN commerce.products p ON p.id = v.product_id AND p.status = 'active'
                JOIN commerce.variant_prices vp
                  ON vp.variant_id = v.id AND vp.currency = :currency
                WHERE cl.cart_id = :cart
                ORDER BY cl.created_at, cl.id
                """
            ),
            {"cart": cart_id, "currency": currency},
        )
        return [MovableLine(*row) for row in rows]

    async def variants_in(self, cart_id: str) -> set[str]:
        rows = await self.session.scalars(
            text("SELECT variant_id FROM commerce.cart_lines WHERE cart_id = :cart"),
            {"cart": cart_id},
        )
        return set(rows)

    async def add_lines(self, rows: Sequence[dict[str, Any]], max_quantity: int) -> None:
        """Add each row's units to its variant's line of the cart (a new line if none), at
        most ``max_quantity`` per line; the caller requotes the prices afterwards."""
        if not rows:
            return
        await self.session.execute(
            text(
                """
                INSERT INTO commerce.cart_lines
                    (id, account_id, cart_id, variant_id, quantity, unit_price)
                VALUES (:id, :account_id, :cart_id, :variant_id,
                        LEAST(CAST(:quantity AS integer), CAST(:max AS integer)),
                        CAST(:unit_price AS bigint))
                ON CONFLICT (cart_id, variant_id) DO UPDATE
                SET quantity = LEAST(commerce.cart_lines.quantity + excluded.quantity,
                                     CAST(:max AS integer))
                """
            ),
            [{**row, "max": max_quantity} for row in rows],
        )

    async def delete_lines(self, line_ids: Sequence[str]) -> None:
        if line_ids:
            await self.session.execute(
                text("DELETE FROM commerce.cart_lines WHERE id = ANY(:ids)"),
                {"ids": list(line_ids)},
            )
