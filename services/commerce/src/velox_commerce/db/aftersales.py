"""After-sales tables: returns, order notes and edits, transactional emails, partner
webhooks and their delivery log, product images and bundles."""

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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = [
    "BundleComponent",
    "EmailMessage",
    "OrderEdit",
    "OrderNote",
    "ProductImage",
    "Return",
    "ReturnLine",
    "WebhookDelivery",
    "WebhookSubscription",
]


class Return(Base):
    """An RMA: requested -> approved -> received (restocked) -> refunded or closed; or
    rejected (``cancelled`` is allowed by the table but not used by the API)."""

    __tablename__ = "returns"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'approved', 'received', 'refunded', 'rejected', 'cancelled',"
            " 'closed')",
            name="status",
        ),
        Index("ix_returns_order", "order_id"),
        Index("ix_returns_store_created", "store_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(500))
    refund_amount: Mapped[int | None] = mapped_column(BigInteger)
    refund_id: Mapped[str | None] = mapped_column(String(40))
    location_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class ReturnLine(Base):
    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        Index("ix_return_lines_return", "return_id"),
        Index("ix_return_lines_order_line", "order_line_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[str] = mapped_column(ForeignKey("commerce.returns.id", ondelete="CASCADE"))
    order_line_id: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    restock: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    reason: Mapped[str | None] = mapped_column(String(500))


class OrderNote(Base):
    __tablename__ = "order_notes"
    __table_args__ = (Index("ix_order_notes_order", "order_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # Visible to the customer (in their order history), else staff only.
    public: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class OrderEdit(Base):
    """A change to an unfulfilled order's lines, with what it did to the total."""

    __tablename__ = "order_edits"
    __table_args__ = (Index("ix_order_edits_order", "order_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(ForeignKey("commerce.orders.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(64))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    total_before: Mapped[int] = mapped_column(BigInteger)
    total_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class EmailMessage(Base):
    """A transactional email (order placed, shipped, refunded), queued in the order's
    transaction and sent by the mail worker through the configured sender."""

    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        Index(
            "ix_email_messages_due", "next_attempt_at", postgresql_where=text("status = 'queued'")
        ),
        Index("ix_email_messages_order", "order_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    order_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), server_default="queued")
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class WebhookSubscription(Base):
    """A partner's endpoint for some event types, signed with its own secret (Standard
    Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_account", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str | None] = mapped_column(
        ForeignKey("commerce.stores.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class WebhookDelivery(Base):
    """One event for one subscription: retried with backoff for hours, then dead."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'dead')", name="status"),
        Index(
            "uq_webhook_deliveries_subscription_event", "subscription_id", "event_id", unique=True
        ),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'failed')"),
        ),
        Index("ix_webhook_deliveries_account_created", "account_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class ProductImage(Base):
    """An uploaded image (checked by content) and its resized thumbnails in the store."""

    __tablename__ = "product_images"
    __table_args__ = (Index("ix_product_images_product", "product_id", "position"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str] = mapped_column(ForeignKey("commerce.products.id", ondelete="CASCADE"))
    variant_id: Mapped[str | None] = mapped_column(String(40))
    storage_key: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # {"200": "key", "800": "key"}: longest side in pixels -> storage key.
    thumbnails: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class BundleComponent(Base):
    """A bundle variant is made of ``quantity`` units of each component variant; its stock
    is derived from theirs."""

    __tablename__ = "bundle_components"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("bundle_variant_id <> component_variant_id", name="not_self"),
        Index("ix_bundle_components_component", "component_variant_id"),
    )

    bundle_variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    component_variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
