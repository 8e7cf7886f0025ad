"""Customers, subscriptions, webhook events, entitlements, Stripe features, usage, meter reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _now(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, TS, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False, unique=True),
        _now("created_at"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        sa.Column("family", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("price_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean, nullable=False),
        sa.Column("current_period_end", TS),
        sa.Column("trial_end", TS),
        sa.Column("past_due_since", TS),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_index("ix_subscriptions_account_family", "subscriptions", ["account_id", "family"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        _now("received_at"),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _now("next_attempt_at"),
        sa.Column("processed_at", TS),
        sa.Column("failed_at", TS),
        sa.Column("last_error", sa.Text),
    )
    op.create_index(
        "ix_webhook_events_pending",
        "webhook_events",
        ["next_attempt_at"],
        postgresql_where=sa.text("processed_at IS NULL AND failed_at IS NULL"),
    )
    op.create_table(
        "entitlements",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("family", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("subscription_id", sa.String(255)),
        _now("updated_at"),
    )
    op.create_table(
        "stripe_features",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("lookup_keys", JSONB, nullable=False),
        _now("refreshed_at"),
    )
    op.create_table(
        "usage_totals",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("operation", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("reported_units", sa.BigInteger, nullable=False),
        _now("updated_at"),
    )
    op.create_table(
        "meter_reports",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("units", sa.BigInteger, nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        sa.Column("event_name", sa.String(100), nullable=False),
        _now("created_at"),
        sa.Column("sent_at", TS),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
    )
    op.create_index(
        "ix_meter_reports_unsent",
        "meter_reports",
        ["created_at"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_index("ix_meter_reports_account", "meter_reports", ["account_id", "period"])


def downgrade() -> None:
    for table in (
        "meter_reports",
        "usage_totals",
        "stripe_features",
        "entitlements",
        "webhook_events",
        "subscriptions",
        "customers",
    ):
        op.drop_table(table)
