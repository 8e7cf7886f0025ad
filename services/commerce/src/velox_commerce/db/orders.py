"""Order tables: orders, their lines, payments and refunds, Stripe events seen, and the
answers kept for ``Idempotency-Key`` replays."""

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
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = [
    "Fulfillment",
    "IdempotentRequest",
    "Order",
    "OrderLine",
    "Payment",
    "Refund",
    "StripeEvent",
]

ORDER_STATUSES = ("placed", "paid", "partially_fulfilled", "fulfilled", "cancelled", "refunded")
PAYMENT_STATUSES = (
    "pending",
    "authorized",
    "captured",
    "partially_refunded",
    "refunded",
    "cancelled",
    "failed",
    "not_required",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Order(Base):
    """A placed order: its totals at the moment it was placed, and where it stands."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status"),
        CheckConstraint(_in("payment_status", PAYMENT_STATUSES), name="payment_status"),
        Index("ix_orders_store_created", "store_id", "created_at", "id"),
        Index("ix_orders_customer", "customer_id", "created_at"),
        Index("uq_orders_cart", "cart_id", unique=True),
        Index("uq_orders_store_number", "store_id", "number", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(BigInteger)
    cart_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    payment_status: Mapped[str] = mapped_column(String(20))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount_total: Mapped[int] = mapped_column(BigInteger)
    shipping_total: Mapped[int] = mapped_column(BigInteger)
    tax_total: Mapped[int] = mapped_column(BigInteger)
    gift_card_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    amount_due: Mapped[int] = mapped_column(BigInteger)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean)
    # Promotions, gift cards, taxes and shipping as applied (the pricing breakdown).
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONB)
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    shipping_method_id: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    paid_at: Mapped[datetime | None] = mapped_column(Timestamp)
    cancelled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class OrderLine(Base):
    """A line of an order, with the product's title and SKU as they were when placed."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        Index("ix_order_lines_order", "order_id"),
        Index("ix_order_lines_variant", "variant_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    variant_id: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(600))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    fulfilled_quantity: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Where the units were allocated: {location_id: quantity}.
    allocations: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")


class Payment(Base):
    """A PaymentIntent of an order (or of a cart in checkout, before the order exists)."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("uq_payments_intent", "intent_id", unique=True),
        Index("ix_payments_order", "order_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(String(40))
    cart_id: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(16), server_default="stripe")
    intent_id: Mapped[str] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    amount_authorized: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    amount_captured: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    amount_refunded: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Refund(Base):
    """Money an order gave back, split over what paid it: ``payment_amount`` through the
    payment provider (``payment_id``, None when no card payment took part) and
    ``gift_cards`` (``[{id, code, amount}]``) credited back to the cards; ``amount`` is
    the whole refund. ``idempotency_key``: the caller's key of a staff refund asked for
    with one, unique per account (migration 0008), so a key never refunds twice."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_order", "order_id"),
        Index(
            "uq_refunds_account_idempotency_key",
            "account_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    payment_id: Mapped[str | None] = mapped_column(String(40))
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_amount: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    gift_cards: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    reason: Mapped[str | None] = mapped_column(String(500))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class StripeEvent(Base):
    """A Stripe event id already processed (a redelivery is acknowledged, not redone)."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class IdempotentRequest(Base):
    """The answer given to an ``Idempotency-Key``, replayed for the same key and request."""

    __tablename__ = "idempotent_requests"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Fulfillment(Base):
    """A shipment of some of an order's units, with its carrier and tracking number."""

    __tablename__ = "fulfillments"
    __table_args__ = (Index("ix_fulfillments_order", "order_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    # [{"line_id", "quantity"}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
