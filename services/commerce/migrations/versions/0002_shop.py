"""The shop: catalogue, inventory, carts and checkout, orders and payments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:33:33.436490
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotent_requests",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("account_id", "key", name=op.f("pk_idempotent_requests")),
        schema="commerce",
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("cart_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("provider", sa.String(length=16), server_default="stripe", nullable=False),
        sa.Column("intent_id", sa.String(length=255), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "amount_authorized", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("amount_captured", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("amount_refunded", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        schema="commerce",
    )
    op.create_index("ix_payments_order", "payments", ["order_id"], unique=False, schema="commerce")
    op.create_index("uq_payments_intent", "payments", ["intent_id"], unique=True, schema="commerce")
    op.create_table(
        "stores",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("default_currency", sa.String(length=3), nullable=False),
        sa.Column("currencies", postgresql.ARRAY(sa.String(length=3)), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("capture_on_order", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "reservation_minutes", sa.Integer(), server_default=sa.text("15"), nullable=False
        ),
        sa.Column(
            "order_sequence", sa.BigInteger(), server_default=sa.text("1000"), nullable=False
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        schema="commerce",
    )
    op.create_index(
        "ix_stores_account_created",
        "stores",
        ["account_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_stores_account_handle",
        "stores",
        ["account_id", "handle"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
        schema="commerce",
    )
    op.create_table(
        "carts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "coupon_codes",
            postgresql.ARRAY(sa.String(length=64)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "gift_card_codes",
            postgresql.ARRAY(sa.String(length=64)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("shipping_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billing_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_method_id", sa.String(length=40), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("payment_amount", sa.BigInteger(), nullable=True),
        sa.Column("reserved_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=True),
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
        sa.CheckConstraint("status IN ('open', 'completed')", name=op.f("ck_carts_status")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_carts_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        schema="commerce",
    )
    op.create_index("ix_carts_customer", "carts", ["customer_id"], unique=False, schema="commerce")
    op.create_index(
        "ix_carts_store_created",
        "carts",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["commerce.categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_categories_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        schema="commerce",
    )
    op.create_index(
        "ix_categories_store_parent",
        "categories",
        ["store_id", "parent_id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_categories_store_handle",
        "categories",
        ["store_id", "handle"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "gift_cards",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("initial_balance", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_gift_cards_balance")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_gift_cards_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_cards")),
        schema="commerce",
    )
    op.create_index(
        "uq_gift_cards_store_code",
        "gift_cards",
        ["store_id", "code"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_locations_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        schema="commerce",
    )
    op.create_index(
        "ix_locations_store", "locations", ["store_id", "priority"], unique=False, schema="commerce"
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("cart_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_status", sa.String(length=20), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("discount_total", sa.BigInteger(), nullable=False),
        sa.Column("shipping_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_total", sa.BigInteger(), nullable=False),
        sa.Column("gift_card_total", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("shipping_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billing_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shipping_method_id", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "placed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
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
            "payment_status IN ('pending', 'authorized', 'captured', 'partially_refunded',"
            " 'refunded', 'cancelled', 'failed', 'not_required')",
            name=op.f("ck_orders_payment_status"),
        ),
        sa.CheckConstraint(
            "status IN ('placed', 'paid', 'partially_fulfilled', 'fulfilled', 'cancelled',"
            " 'refunded')",
            name=op.f("ck_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_orders_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        schema="commerce",
    )
    op.create_index(
        "ix_orders_customer",
        "orders",
        ["customer_id", "created_at"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "ix_orders_store_created",
        "orders",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index("uq_orders_cart", "orders", ["cart_id"], unique=True, schema="commerce")
    op.create_index(
        "uq_orders_store_number", "orders", ["store_id", "number"], unique=True, schema="commerce"
    )
    op.create_table(
        "products",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("handle", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "options", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("seo_title", sa.String(length=300), nullable=True),
        sa.Column("seo_description", sa.String(length=500), nullable=True),
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
            "status IN ('draft', 'active', 'archived')", name=op.f("ck_products_status")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_products_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        schema="commerce",
    )
    op.create_index(
        "ix_products_account", "products", ["account_id"], unique=False, schema="commerce"
    )
    op.create_index(
        "ix_products_store_created",
        "products",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_products_store_handle",
        "products",
        ["store_id", "handle"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "promotions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("min_subtotal", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("buy_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("get_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("get_discount_bp", sa.Integer(), server_default=sa.text("10000"), nullable=False),
        sa.Column(
            "product_ids",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "category_ids",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("combinable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("times_used", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('percentage', 'fixed', 'free_shipping', 'buy_x_get_y')",
            name=op.f("ck_promotions_kind"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_promotions_value")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_promotions_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
        schema="commerce",
    )
    op.create_index(
        "ix_promotions_store_created",
        "promotions",
        ["store_id", "created_at", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_promotions_store_code",
        "promotions",
        ["store_id", sa.literal_column("upper(code)")],
        unique=True,
        schema="commerce",
        postgresql_where=sa.text("code IS NOT NULL"),
    )
    op.create_table(
        "shipping_zones",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("countries", postgresql.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_shipping_zones_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_zones")),
        schema="commerce",
    )
    op.create_index(
        "ix_shipping_zones_store", "shipping_zones", ["store_id"], unique=False, schema="commerce"
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("allocated_delta", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('receive', 'adjust', 'allocate', 'release', 'fulfil', 'return')",
            name=op.f("ck_stock_movements_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_stock_movements_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
        schema="commerce",
    )
    op.create_index(
        "ix_stock_movements_store",
        "stock_movements",
        ["store_id", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "ix_stock_movements_variant",
        "stock_movements",
        ["variant_id", "id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("tax_code", sa.String(length=32), server_default="standard", nullable=False),
        sa.Column("rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_tax_rates_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
        schema="commerce",
    )
    op.create_index(
        "ix_tax_rates_store_country",
        "tax_rates",
        ["store_id", "country"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "order_lines",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=600), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("fulfilled_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "allocations",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        schema="commerce",
    )
    op.create_index(
        "ix_order_lines_order", "order_lines", ["order_id"], unique=False, schema="commerce"
    )
    op.create_index(
        "ix_order_lines_variant", "order_lines", ["variant_id"], unique=False, schema="commerce"
    )
    op.create_table(
        "product_categories",
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("category_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["commerce.categories.id"],
            name=op.f("fk_product_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f("fk_product_categories_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", "category_id", name=op.f("pk_product_categories")),
        schema="commerce",
    )
    op.create_index(
        "ix_product_categories_category",
        "product_categories",
        ["category_id"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("payment_id", sa.String(length=40), nullable=False),
        sa.Column("provider_refund_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_refunds_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        schema="commerce",
    )
    op.create_index("ix_refunds_order", "refunds", ["order_id"], unique=False, schema="commerce")
    op.create_table(
        "shipping_methods",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("zone_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "tiers", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("free_over", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('flat', 'weight', 'price')", name=op.f("ck_shipping_methods_kind")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_shipping_methods_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["commerce.shipping_zones.id"],
            name=op.f("fk_shipping_methods_zone_id_shipping_zones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_methods")),
        schema="commerce",
    )
    op.create_index(
        "ix_shipping_methods_zone", "shipping_methods", ["zone_id"], unique=False, schema="commerce"
    )
    op.create_table(
        "variants",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "option_values",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("weight_grams", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("track_inventory", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("inventory_policy", sa.String(length=10), server_default="deny", nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
            "inventory_policy IN ('deny', 'backorder', 'preorder')",
            name=op.f("ck_variants_inventory_policy"),
        ),
        sa.CheckConstraint("weight_grams >= 0", name=op.f("ck_variants_weight")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["commerce.products.id"],
            name=op.f("fk_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["commerce.stores.id"],
            name=op.f("fk_variants_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variants")),
        schema="commerce",
    )
    op.create_index(
        "ix_variants_product",
        "variants",
        ["product_id", "position"],
        unique=False,
        schema="commerce",
    )
    op.create_index(
        "uq_variants_store_sku", "variants", ["store_id", "sku"], unique=True, schema="commerce"
    )
    op.create_table(
        "cart_lines",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("cart_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_lines_quantity")),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["commerce.carts.id"],
            name=op.f("fk_cart_lines_cart_id_carts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_cart_lines_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_lines")),
        schema="commerce",
    )
    op.create_index(
        "uq_cart_lines_cart_variant",
        "cart_lines",
        ["cart_id", "variant_id"],
        unique=True,
        schema="commerce",
    )
    op.create_table(
        "reservations",
        sa.Column("cart_id", sa.String(length=40), nullable=False),
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservations_quantity")),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["commerce.carts.id"],
            name=op.f("fk_reservations_cart_id_carts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_reservations_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cart_id", "variant_id", name=op.f("pk_reservations")),
        schema="commerce",
    )
    op.create_index(
        "ix_reservations_variant_expires",
        "reservations",
        ["variant_id", "expires_at"],
        unique=False,
        schema="commerce",
    )
    op.create_table(
        "stock_levels",
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("allocated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("allocated >= 0", name=op.f("ck_stock_levels_allocated")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["commerce.locations.id"],
            name=op.f("fk_stock_levels_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_stock_levels_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "location_id", name=op.f("pk_stock_levels")),
        schema="commerce",
    )
    op.create_index(
        "ix_stock_levels_location", "stock_levels", ["location_id"], unique=False, schema="commerce"
    )
    op.create_table(
        "variant_prices",
        sa.Column("variant_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("compare_at_amount", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_variant_prices_amount")),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["commerce.variants.id"],
            name=op.f("fk_variant_prices_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "currency", name=op.f("pk_variant_prices")),
        schema="commerce",
    )
    op.create_index(
        "ix_variant_prices_currency_amount",
        "variant_prices",
        ["currency", "amount"],
        unique=False,
        schema="commerce",
    )

    op.create_table(
        "fulfillments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["commerce.orders.id"],
            name=op.f("fk_fulfillments_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillments")),
        schema="commerce",
    )
    op.create_index(
        "ix_fulfillments_order", "fulfillments", ["order_id"], unique=False, schema="commerce"
    )
    # The stock ledger is append-only: an UPDATE is refused (rows go only with their store).
    op.execute(
        """
        CREATE FUNCTION commerce.refuse_ledger_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'commerce.stock_movements is append-only';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER stock_movements_append_only BEFORE UPDATE ON commerce.stock_movements"
        " FOR EACH ROW EXECUTE FUNCTION commerce.refuse_ledger_update()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER stock_movements_append_only ON commerce.stock_movements")
    op.execute("DROP FUNCTION commerce.refuse_ledger_update()")
    op.drop_index("ix_fulfillments_order", table_name="fulfillments", schema="commerce")
    op.drop_table("fulfillments", schema="commerce")
    op.drop_index(
        "ix_variant_prices_currency_amount", table_name="variant_prices", schema="commerce"
    )
    op.drop_table("variant_prices", schema="commerce")
    op.drop_index("ix_stock_levels_location", table_name="stock_levels", schema="commerce")
    op.drop_table("stock_levels", schema="commerce")
    op.drop_index("ix_reservations_variant_expires", table_name="reservations", schema="commerce")
    op.drop_table("reservations", schema="commerce")
    op.drop_index("uq_cart_lines_cart_variant", table_name="cart_lines", schema="commerce")
    op.drop_table("cart_lines", schema="commerce")
    op.drop_index("uq_variants_store_sku", table_name="variants", schema="commerce")
    op.drop_index("ix_variants_product", table_name="variants", schema="commerce")
    op.drop_table("variants", schema="commerce")
    op.drop_index("ix_shipping_methods_zone", table_name="shipping_methods", schema="commerce")
    op.drop_table("shipping_methods", schema="commerce")
    op.drop_index("ix_refunds_order", table_name="refunds", schema="commerce")
    op.drop_table("refunds", schema="commerce")
    op.drop_index(
        "ix_product_categories_category", table_name="product_categories", schema="commerce"
    )
    op.drop_table("product_categories", schema="commerce")
    op.drop_index("ix_order_lines_variant", table_name="order_lines", schema="commerce")
    op.drop_index("ix_order_lines_order", table_name="order_lines", schema="commerce")
    op.drop_table("order_lines", schema="commerce")
    op.drop_index("ix_tax_rates_store_country", table_name="tax_rates", schema="commerce")
    op.drop_table("tax_rates", schema="commerce")
    op.drop_index("ix_stock_movements_variant", table_name="stock_movements", schema="commerce")
    op.drop_index("ix_stock_movements_store", table_name="stock_movements", schema="commerce")
    op.drop_table("stock_movements", schema="commerce")
    op.drop_index("ix_shipping_zones_store", table_name="shipping_zones", schema="commerce")
    op.drop_table("shipping_zones", schema="commerce")
    op.drop_index(
        "uq_promotions_store_code",
        table_name="promotions",
        schema="commerce",
        postgresql_where=sa.text("code IS NOT NULL"),
    )
    op.drop_index("ix_promotions_store_created", table_name="promotions", schema="commerce")
    op.drop_table("promotions", schema="commerce")
    op.drop_index("uq_products_store_handle", table_name="products", schema="commerce")
    op.drop_index("ix_products_store_created", table_name="products", schema="commerce")
    op.drop_index("ix_products_account", table_name="products", schema="commerce")
    op.drop_table("products", schema="commerce")
    op.drop_index("uq_orders_store_number", table_name="orders", schema="commerce")
    op.drop_index("uq_orders_cart", table_name="orders", schema="commerce")
    op.drop_index("ix_orders_store_created", table_name="orders", schema="commerce")
    op.drop_index("ix_orders_customer", table_name="orders", schema="commerce")
    op.drop_table("orders", schema="commerce")
    op.drop_index("ix_locations_store", table_name="locations", schema="commerce")
    op.drop_table("locations", schema="commerce")
    op.drop_index("uq_gift_cards_store_code", table_name="gift_cards", schema="commerce")
    op.drop_table("gift_cards", schema="commerce")
    op.drop_index("uq_categories_store_handle", table_name="categories", schema="commerce")
    op.drop_index("ix_categories_store_parent", table_name="categories", schema="commerce")
    op.drop_table("categories", schema="commerce")
    op.drop_index("ix_carts_store_created", table_name="carts", schema="commerce")
    op.drop_index("ix_carts_customer", table_name="carts", schema="commerce")
    op.drop_table("carts", schema="commerce")
    op.drop_table("stripe_events", schema="commerce")
    op.drop_index("uq_stores_account_handle", table_name="stores", schema="commerce")
    op.drop_index("ix_stores_account_created", table_name="stores", schema="commerce")
    op.drop_table("stores", schema="commerce")
    op.drop_index("uq_payments_intent", table_name="payments", schema="commerce")
    op.drop_index("ix_payments_order", table_name="payments", schema="commerce")
    op.drop_table("payments", schema="commerce")
    op.drop_table("idempotent_requests", schema="commerce")
