"""Catalogue tables: stores, categories, products, variants and their prices.

Money is an integer number of minor units beside an ISO 4217 code. Every row carries
``account_id`` (the tenant) and, below the store, ``store_id``: a query filters by both.
"""

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
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = [
    "Category",
    "Product",
    "ProductCategory",
    "Store",
    "Variant",
    "VariantPrice",
]


class Store(Base):
    """One shop of an account: its currencies, tax mode, locale and payment settings."""

    __tablename__ = "stores"
    __table_args__ = (
        Index("ix_stores_account_created", "account_id", "created_at", "id"),
        Index("uq_stores_account_handle", "account_id", "handle", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(100))
    default_currency: Mapped[str] = mapped_column(String(3))
    currencies: Mapped[list[str]] = mapped_column(ARRAY(String(3)))
    locale: Mapped[str] = mapped_column(String(35))
    country: Mapped[str] = mapped_column(String(2))
    tax_inclusive: Mapped[bool] = mapped_column(Boolean)
    # Capture the authorisation when the order is placed (else staff capture it later).
    capture_on_order: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    reservation_minutes: Mapped[int] = mapped_column(Integer, server_default=text("15"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Category(Base):
    """A node of a store's category tree (``parent_id`` NULL at the top)."""

    __tablename__ = "categories"
    __table_args__ = (
        Index("ix_categories_store_parent", "store_id", "parent_id"),
        Index("uq_categories_store_handle", "store_id", "handle", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("commerce.categories.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Product(Base):
    """A product: its text, options (``[{"name", "values"}]``), attributes and SEO fields."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'archived')", name="status"),
        Index("ix_products_store_created", "store_id", "created_at", "id"),
        Index("ix_products_account", "account_id"),
        Index("uq_products_store_handle", "store_id", "handle", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    handle: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(10))
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    seo_title: Mapped[str | None] = mapped_column(String(300))
    seo_description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class ProductCategory(Base):
    __tablename__ = "product_categories"
    __table_args__ = (Index("ix_product_categories_category", "category_id"),)

    product_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.products.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.categories.id", ondelete="CASCADE"), primary_key=True
    )


class Variant(Base):
    """A sellable variant: SKU, barcode, weight, option values and its stock policy.

    ``inventory_policy``: ``deny`` sells only what is available, ``backorder`` sells past
    zero, ``preorder`` sells before stock arrives (both allocate beyond on-hand).
    """

    __tablename__ = "variants"
    __table_args__ = (
        CheckConstraint(
            "inventory_policy IN ('deny', 'backorder', 'preorder')", name="inventory_policy"
        ),
        CheckConstraint("weight_grams >= 0", name="weight"),
        Index("ix_variants_product", "product_id", "position"),
        Index("uq_variants_store_sku", "store_id", "sku", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("commerce.products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    option_values: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    weight_grams: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    track_inventory: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    inventory_policy: Mapped[str] = mapped_column(String(10), server_default="deny")
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class VariantPrice(Base):
    """A variant's price in one currency, with an optional compare-at price."""

    __tablename__ = "variant_prices"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_variant_prices_currency_amount", "currency", "amount"),
    )

    variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    compare_at_amount: Mapped[int | None] = mapped_column(BigInteger)
    # A scheduled sale: ``sale_amount`` applies from ``sale_starts_at`` until
    # ``sale_ends_at`` (either end open when NULL).
    sale_amount: Mapped[int | None] = mapped_column(BigInteger)
    sale_starts_at: Mapped[datetime | None] = mapped_column(Timestamp)
    sale_ends_at: Mapped[datetime | None] = mapped_column(Timestamp)
