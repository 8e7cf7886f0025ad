"""Storefront sign-in: customers register and sign in with a password and get a token.

A token is 32 random bytes (URL-safe base64); only its SHA-256 is stored, in
``customer_sessions``, with an expiry 30 days on. A wrong email and a wrong password get
the same 401 after the same work (see :mod:`velox_shared.passwords`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult
from velox_shared.passwords import hash_password, needs_rehash, verify_password

from velox_commerce.context import CommerceContext
from velox_commerce.customers.errors import InvalidCredentials, InvalidCustomerToken
from velox_commerce.customers.merge import CartMerge
from velox_commerce.customers.repository import CustomerRepository, SessionRepository
from velox_commerce.customers.schemas import (
    CustomerCreate,
    CustomerOrderOut,
    LoginIn,
    PublicNoteOut,
    RegisterIn,
    SessionOut,
)
from velox_commerce.customers.service import CustomerService, customer_out, duplicate_email
from velox_commerce.db.catalog import Store
from velox_commerce.db.customers import Customer
from velox_commerce.errors import ResourceNotFound
from velox_commerce.notes.service import NoteService
from velox_commerce.orders.schemas import OrderOut
from velox_commerce.orders.service import OrderService

__all__ = ["SESSION_LIFETIME", "CustomerAccounts", "token_hash"]

SESSION_LIFETIME = timedelta(days=30)
_TOKEN_BYTES = 32
_MAX_PUBLIC_NOTES = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CustomerAccounts:
    def __init__(self, session: AsyncSession, store: Store, context: CommerceContext) -> None:
        self.session = session
        self.store = store
        self.context = context
        self.customers = CustomerRepository(session, store)
        self.sessions = SessionRepository(session, store)

    async def register(self, data: RegisterIn) -> SessionOut:
        """A new customer with a password, signed in. An email already in the store (even
        one staff added without a password) is a 409: claiming it needs a proof of
        ownership this API does not have."""
        if await self.customers.by_email(data.email) is not None:
            raise duplicate_email(data.email)
        password_hash = await hash_password(data.password)
        details = CustomerCreate(
            email=data.email,
            name=data.name,
            phone=data.phone,
            accepts_marketing=data.accepts_marketing,
        )
        customer = await CustomerService(self.session, self.store).create(
            details, password_hash=password_hash
        )
        return await self._signed_in(customer, data.cart_id)

    async def login(self, data: LoginIn) -> SessionOut:
        customer = await self.customers.by_email(data.email)
        stored = customer.password_hash if customer is not None else None
        # Checked even without a customer, so both failures take as long.
        matches = await verify_password(stored, data.password)
        if customer is None or not matches:
            raise InvalidCredentials("The email or the password is wrong.")
        if customer.password_hash is not None and needs_rehash(customer.password_hash):
            customer.password_hash = await hash_password(data.password)
        await self.sessions.delete_expired(customer.id)
        return await self._signed_in(customer, data.cart_id)

    async def _signed_in(self, customer: Customer, cart_id: str | None) -> SessionOut:
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        expires_at = datetime.now(UTC) + SESSION_LIFETIME
        await self.sessions.add(token_hash(token), customer, expires_at)
        merged = await CartMerge(self.session, self.store, self.context.settings).sign_in(
            customer, cart_id
        )
        return SessionOut(
            customer=customer_out(customer), token=token, expires_at=expires_at, cart_id=merged
        )

    async def current(self, token: str | None) -> Customer:
        """The customer signed in with ``token`` (401 when missing, unknown or expired)."""
        customer = await self.sessions.customer(token_hash(token)) if token else None
        if customer is None:
            raise _not_signed_in()
        return customer

    async def logout(self, token: str | None) -> None:
        """Ends the session of ``token`` (401 if it is not a live one)."""
        if not token:
            raise _not_signed_in()
        await self.current(token)
        await self.sessions.delete(token_hash(token))

    async def order(self, customer: Customer, order_id: str) -> CustomerOrderOut:
        """One of the customer's orders with its public notes (404 for anyone else's)."""
        order = await OrderService(self.session, self.store, self.context).view(order_id)
        if order.customer_id != customer.id:
            raise ResourceNotFound.of("order", order_id)
        notes = await NoteService(self.session, self.store).page(
            order_id, public=True, limit=_MAX_PUBLIC_NOTES, cursor=None
        )
        return CustomerOrderOut(
            **order.model_dump(),
            notes=[
                PublicNoteOut(id=n.id, body=n.body, created_at=n.created_at) for n in notes.items
            ],
        )

    async def orders(
        self, customer: Customer, *, limit: int, cursor: str | None
    ) -> PageResult[OrderOut]:
        """The customer's orders, newest first (orders placed as a guest are not theirs)."""
        return await OrderService(self.session, self.store, self.context).page(
            customer_id=customer.id, status=None, limit=limit, cursor=cursor
        )


def _not_signed_in() -> InvalidCustomerToken:
    return InvalidCustomerToken(
        "Send a valid X-Customer-Token (from sign-in); it may have expired."
    )
