"""Tables of the ``billing`` schema: Stripe customers and subscriptions, received webhook
events, each account's effective plans, and metered usage with its reports to Stripe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from velox_shared.db import schema_metadata
from velox_shared.events import event_tables

from velox_billing import SCHEMA


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


events = event_tables(Base.metadata)

Timestamp = DateTime(timezone=True)


class Customer(Base):
    """The one Stripe customer of an account."""

    __tablename__ = "customers"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Subscription(Base):
    """Our copy of a Stripe subscription, refreshed from Stripe on every related event."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_account_family", "account_id", "family"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe's sub_...
    account_id: Mapped[str] = mapped_column(String(64))
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    family: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(32))
    price_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    current_period_end: Mapped[datetime | None] = mapped_column(Timestamp)
    trial_end: Mapped[datetime | None] = mapped_column(Timestamp)
    past_due_since: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class WebhookEvent(Base):
    """A verified Stripe event, stored before it is acknowledged, processed afterwards."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index(
            "ix_webhook_events_pending",
            "next_attempt_at",
            postgresql_where="processed_at IS NULL AND failed_at IS NULL",
        ),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # Stripe's evt_...
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    processed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    failed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(Text)


class Entitlement(Base):
    """The tier an account has in one product family, and why (what the gateway enforces)."""

    __tablename__ = "entitlements"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32))
    # active | trialing | grace (payment failed, still allowed) | default
    status: Mapped[str] = mapped_column(String(16))
    subscription_id: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class StripeFeatures(Base):
    """The feature lookup keys Stripe reports active for an account (its entitlements API)."""

    __tablename__ = "stripe_features"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lookup_keys: Mapped[list[str]] = mapped_column(JSONB)
    refreshed_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class UsageTotal(Base):
    """Units of one metered operation an account used in one calendar month."""

    __tablename__ = "usage_totals"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    units: Mapped[int] = mapped_column(BigInteger, default=0)
    reported_units: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class MeterReport(Base):
    """One batch of units for Stripe's meter; its id is the meter event's identifier."""

    __tablename__ = "meter_reports"
    __table_args__ = (
        Index("ix_meter_reports_unsent", "created_at", postgresql_where="sent_at IS NULL"),
        Index("ix_meter_reports_account", "account_id", "period"),
    )

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    units: Mapped[int] = mapped_column(BigInteger)
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    event_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
