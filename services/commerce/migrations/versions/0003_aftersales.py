"""Customers, groups and price lists, scheduled sale prices, returns, order notes and
edits, transactional emails, partner webhooks, product images and bundles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:55:59.304326
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_groups",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_customer_groups_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_groups")),
        schema="commerce",
    )
    op.create_index(
        "uq_customer_groups_store_name",
        "customer_groups",
        ["store_id", "name"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "email_messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="queued", nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_email_messages_status")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_email_messages_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        schema="commerce",
    )
    op.create_index(
        "ix_email_messages_due",
        "email_messages",
        ["next_attempt_at"],
        unique=False,
        schema="commerce",
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "ix_email_messages_order", "email_messages", ["order_id"], unique=False, schema="commerce"
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_webhook_subscriptions_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        schema="commerce",
    )
    op.create_index(
        "ix_webhook_subscriptions_account",
        "webhook_subscriptions",
        ["account_id", "created_at"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("group_id", sa.String(length=40), nullable=True),
        sa.Column(
            "accepts_marketing", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["commerce.customer_groups.id"],
            name=op.f("fk_customers_group_id_customer_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_customers_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        schema="commerce",
    )
    op.create_index(
        "ix_customers_store_created",
        "customers",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_customers_store_email",
        "customers",
        ["store_id", sa.literal_column("lower(email)")],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "order_edits",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total_before", sa.BigInteger(), nullable=False),
        sa.Column("total_after", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_order_edits_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_edits")),
        schema="commerce",
    )
    op.create_index(
        "ix_order_edits_order",
        "order_edits",
        ["order_id", "created_at"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "order_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_order_notes_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_notes")),
        schema="commerce",
    )
    op.create_index(
        "ix_order_notes_order",
        "order_notes",
        ["order_id", "created_at"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "price_lists",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_group_id", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_group_id"],
            ["commerce.customer_groups.id"],
            name=op.f("fk_price_lists_customer_group_id_customer_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_price_lists_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        schema="commerce",
    )
    op.create_index(
        "ix_price_lists_store",
        "price_lists",
        ["store_id", "currency"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "product_images",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=True),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(length=500), nullable=True),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "thumbnails",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f("fk_product_images_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_images")),
        schema="commerce",
    )
    op.create_index(
        "ix_product_images_product",
        "product_images",
        ["product_id", "position"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "returns",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("refund_amount", sa.BigInteger(), nullable=True),
        sa.Column("refund_id", sa.String(length=40), nullable=True),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'received', 'refunded', 'rejected', 'cancelled')",
            name=op.f("ck_returns_status"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_returns_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_returns_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        schema="commerce",
    )
    op.create_index("ix_returns_order", "returns", ["order_id"], unique=False, schema="commerce")
    op.create_index(
        "ix_returns_store_created",
        "returns",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("subscription_id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed', 'dead')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["commerce.webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        schema="commerce",
    )
    op.create_index(
        "ix_webhook_deliveries_account_created",
        "webhook_deliveries",
        ["account_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        unique=False,
        schema="commerce",
        postgresql_where=sa.text("status IN ('pending', 'failed')"),
    )
    op.create_index(
        "uq_webhook_deliveries_subscription_event",
        "webhook_deliveries",
        ["subscription_id", "event_id"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "bundle_components",
        sa.Column("bundle_variant_id", sa.String(length=40), nullable=False),
        sa.Column("component_variant_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "bundle_variant_id <> component_variant_id", name=op.f("ck_bundle_components_not_self")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_bundle_components_quantity")),
        sa.ForeignKeyConstraint(
            ["bundle_variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_bundle_components_bundle_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["component_variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_bundle_components_component_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "bundle_variant_id", "component_variant_id", name=op.f("pk_bundle_components")
        ),
        schema="commerce",
    )
    op.create_index(
        "ix_bundle_components_component",
        "bundle_components",
        ["component_variant_id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "customer_addresses",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "default_shipping", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("default_billing", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["commerce.customers.id"],
            name=op.f("fk_customer_addresses_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_addresses")),
        schema="commerce",
    )
    op.create_index(
        "ix_customer_addresses_customer",
        "customer_addresses",
        ["customer_id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "customer_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["commerce.customers.id"],
            name=op.f("fk_customer_sessions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_customer_sessions")),
        schema="commerce",
    )
    op.create_index(
        "ix_customer_sessions_customer",
        "customer_sessions",
        ["customer_id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "price_list_prices",
        sa.Column("price_list_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_price_list_prices_amount")),
        sa.CheckConstraint("min_quantity >= 1", name=op.f("ck_price_list_prices_min_quantity")),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["commerce.price_lists.id"],
            name=op.f("fk_price_list_prices_price_list_id_price_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_price_list_prices_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "price_list_id", "variant_id", "min_quantity", name=op.f("pk_price_list_prices")
        ),
        schema="commerce",
    )
    op.create_index(
        "ix_price_list_prices_variant",
        "price_list_prices",
        ["variant_id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "return_lines",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("restock", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["commerce.returns.id"],
            name=op.f("fk_return_lines_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        schema="commerce",
    )
    op.create_index(
        "ix_return_lines_order_line",
        "return_lines",
        ["order_line_id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "ix_return_lines_return", "return_lines", ["return_id"], unique=False, schema="commerce"
    )
    op.add_column(
        "variant_prices",
        sa.Column("sale_amount", sa.BigInteger(), nullable=True),
        schema="commerce",
    )
    op.add_column(
        "variant_prices",
        sa.Column("sale_starts_at", sa.DateTime(timezone=True), nullable=True),
        schema="commerce",
    )
    op.add_column(
        "variant_prices",
        sa.Column("sale_ends_at", sa.DateTime(timezone=True), nullable=True),
        schema="commerce",
    )


def downgrade() -> None:
    op.drop_column("variant_prices", "sale_ends_at", schema="commerce")
    op.drop_column("variant_prices", "sale_starts_at", schema="commerce")
    op.drop_column("variant_prices", "sale_amount", schema="commerce")
    op.drop_index("ix_return_lines_return", table_name="return_lines", schema="commerce")
    op.drop_index("ix_return_lines_order_line", table_name="return_lines", schema="commerce")
    op.drop_table("return_lines", schema="commerce")
    op.drop_index("ix_price_list_prices_variant", table_name="price_list_prices", schema="commerce")
    op.drop_table("price_list_prices", schema="commerce")
    op.drop_index(
        "ix_customer_sessions_customer", table_name="customer_sessions", schema="commerce"
    )
    op.drop_table("customer_sessions", schema="commerce")
    op.drop_index(
        "ix_customer_addresses_customer", table_name="customer_addresses", schema="commerce"
    )
    op.drop_table("customer_addresses", schema="commerce")
    op.drop_index(
        "ix_bundle_components_component", table_name="bundle_components", schema="commerce"
    )
    op.drop_table("bundle_components", schema="commerce")
    op.drop_index(
        "uq_webhook_deliveries_subscription_event",
        table_name="webhook_deliveries",
        schema="commerce",
    )
    op.drop_index(
        "ix_webhook_deliveries_due",
        table_name="webhook_deliveries",
        schema="commerce",
        postgresql_where=sa.text("status IN ('pending', 'failed')"),
    )
    op.drop_index(
        "ix_webhook_deliveries_account_created", table_name="webhook_deliveries", schema="commerce"
    )
    op.drop_table("webhook_deliveries", schema="commerce")
    op.drop_index("ix_returns_store_created", table_name="returns", schema="commerce")
    op.drop_index("ix_returns_order", table_name="returns", schema="commerce")
    op.drop_table("returns", schema="commerce")
    op.drop_index("ix_product_images_product", table_name="product_images", schema="commerce")
    op.drop_table("product_images", schema="commerce")
    op.drop_index("ix_price_lists_store", table_name="price_lists", schema="commerce")
    op.drop_table("price_lists", schema="commerce")
    op.drop_index("ix_order_notes_order", table_name="order_notes", schema="commerce")
    op.drop_table("order_notes", schema="commerce")
    op.drop_index("ix_order_edits_order", table_name="order_edits", schema="commerce")
    op.drop_table("order_edits", schema="commerce")
    op.drop_index("uq_customers_store_email", table_name="customers", schema="commerce")
    op.drop_index("ix_customers_store_created", table_name="customers", schema="commerce")
    op.drop_table("customers", schema="commerce")
    op.drop_index(
        "ix_webhook_subscriptions_account", table_name="webhook_subscriptions", schema="commerce"
    )
    op.drop_table("webhook_subscriptions", schema="commerce")
    op.drop_index("ix_email_messages_order", table_name="email_messages", schema="commerce")
    op.drop_index(
        "ix_email_messages_due",
        table_name="email_messages",
        schema="commerce",
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.drop_table("email_messages", schema="commerce")
    op.drop_index("uq_customer_groups_store_name", table_name="customer_groups", schema="commerce")
    op.drop_table("customer_groups", schema="commerce")
