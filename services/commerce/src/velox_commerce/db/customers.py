"""Store customers (distinct from Velox users), their addresses and groups, price lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = [
    "Customer",
    "CustomerAddress",
    "CustomerGroup",
    "CustomerSession",
    "PriceList",
    "PriceListPrice",
]


class CustomerGroup(Base):
    """A set of customers sharing prices (wholesale, a B2B partner, staff)."""

    __tablename__ = "customer_groups"
    __table_args__ = (Index("uq_customer_groups_store_name", "store_id", "name", unique=True),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Customer(Base):
    """A shopper with an account at one store; ``password_hash`` is None for guests
    promoted to customers by staff (they set a password later)."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("uq_customers_store_email", "store_id", func.lower(text("email")), unique=True),
        Index("ix_customers_store_created", "store_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    group_id: Mapped[str | None] = mapped_column(
        ForeignKey("commerce.customer_groups.id", ondelete="SET NULL")
    )
    accepts_marketing: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class CustomerSession(Base):
    """A signed-in customer's token (only its SHA-256 is kept), valid until it expires."""

    __tablename__ = "customer_sessions"
    __table_args__ = (Index("ix_customer_sessions_customer", "customer_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.customers.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class CustomerAddress(Base):
    __tablename__ = "customer_addresses"
    __table_args__ = (Index("ix_customer_addresses_customer", "customer_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.customers.id", ondelete="CASCADE")
    )
    address: Mapped[dict[str, Any]] = mapped_column(JSONB)
    default_shipping: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    default_billing: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class PriceList(Base):
    """Prices for a customer group (or everyone when ``customer_group_id`` is None) in one
    currency, optionally within a date window: B2B prices, scheduled sales."""

    __tablename__ = "price_lists"
    __table_args__ = (Index("ix_price_lists_store", "store_id", "currency"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    customer_group_id: Mapped[str | None] = mapped_column(
        ForeignKey("commerce.customer_groups.id", ondelete="CASCADE")
    )
    currency: Mapped[str] = mapped_column(String(3))
    starts_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ends_at: Mapped[datetime | None] = mapped_column(Timestamp)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class PriceListPrice(Base):
    """A variant's unit price in a price list from ``min_quantity`` units up (tiers)."""

    __tablename__ = "price_list_prices"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("min_quantity >= 1", name="min_quantity"),
        Index("ix_price_list_prices_variant", "variant_id"),
    )

    price_list_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.price_lists.id", ondelete="CASCADE"), primary_key=True
    )
    variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    min_quantity: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
