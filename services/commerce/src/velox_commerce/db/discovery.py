"""Discovery tables: the search document of each product, reviews, wishlists, recently
viewed products; and the indexes on order tables that reviews and recommendations read.

``product_search`` is maintained by the database, never by application code: triggers on
products, variants, prices, categories, stock and reviews queue a product in
``search_dirty`` (and the transaction in ``search_pending``), and a deferred constraint
trigger rebuilds the queued documents once per transaction at commit
(``commerce.search_refresh``, migration 0004). Only active products are searched;
``prices`` holds ``{currency: [min, max]}`` in minor units as of ``refreshed_at``, valid
until ``prices_valid_until`` (a scheduled sale's next start or
end); past that, readers compute prices live (``commerce.product_prices_now``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp
from velox_commerce.db.orders import Order, OrderLine

__all__ = [
    "ProductSearch",
    "RecentView",
    "Review",
    "SearchDirty",
    "SearchPending",
    "WishlistItem",
]

REVIEW_STATUSES = ("pending", "approved", "rejected")
# Separates an attribute's name from its value in ``product_search.facets``.
FACET_SEPARATOR = "\x1f"


class ProductSearch(Base):
    """One product's search document, filters, facets and sort keys (one row each)."""

    __tablename__ = "product_search"
    __table_args__ = (
        Index("ix_product_search_document", "document", postgresql_using="gin"),
        Index(
            "ix_product_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "public.gin_trgm_ops"},
        ),
        Index("ix_product_search_categories", "category_ids", postgresql_using="gin"),
        Index("ix_product_search_facets", "facets", postgresql_using="gin"),
        Index("ix_product_search_store_created", "store_id", "created_at", "product_id"),
        Index(
            "ix_product_search_prices_expire",
            "store_id",
            "prices_valid_until",
            postgresql_where=text("prices_valid_until IS NOT NULL"),
        ),
    )

    product_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.products.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    handle: Mapped[str] = mapped_column(String(150))
    # Title (weight A), SKUs and attribute values (B), description (C).
    document: Mapped[Any] = mapped_column(TSVECTOR)
    # Title and attribute values, for trigram (typo tolerant) matching.
    search_text: Mapped[str] = mapped_column(Text)
    # The product's categories and all their ancestors.
    category_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # ``name<US>value``, both lower case, from attributes and variant option values.
    facets: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    in_stock: Mapped[bool] = mapped_column(server_default=text("false"))
    prices: Mapped[dict[str, list[int]]] = mapped_column(JSONB, server_default="{}")
    prices_valid_until: Mapped[datetime | None] = mapped_column(Timestamp)
    rating_avg: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    rating_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    refreshed_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class SearchDirty(Base):
    """Products whose search document is rebuilt when the transaction commits (always
    empty outside a transaction)."""

    __tablename__ = "search_dirty"

    # The queueing transaction's id: two transactions queueing one product never meet.
    tx: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, server_default=text("pg_current_xact_id()::text::bigint")
    )
    product_id: Mapped[str] = mapped_column(Text, primary_key=True)


class SearchPending(Base):
    """One row per transaction that queued products in ``search_dirty``: its insert fires
    the deferred trigger that rebuilds them all once, at commit."""

    __tablename__ = "search_pending"

    tx: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, server_default=text("pg_current_xact_id()::text::bigint")
    )


class Review(Base):
    """A buyer's review of a product: shown and counted in ratings once approved."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in REVIEW_STATUSES)})", name="status"
        ),
        Index("uq_reviews_product_reviewer", "product_id", "reviewer", unique=True),
        Index("ix_reviews_product_status", "product_id", "status", "created_at", "id"),
        Index("ix_reviews_store_created", "store_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("commerce.products.id", ondelete="CASCADE"))
    # ``customer:<id>`` or ``email:<lower-case address>``: one review each per product.
    reviewer: Mapped[str] = mapped_column(String(400))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    # The paid order that made this a verified purchase.
    order_id: Mapped[str] = mapped_column(String(40))
    author_name: Mapped[str] = mapped_column(String(100))
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    moderation_note: Mapped[str | None] = mapped_column(String(500))
    moderated_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class WishlistItem(Base):
    """A product on a shopper's wishlist (``owner``: ``customer:<id>`` or ``guest:<token>``)."""

    __tablename__ = "wishlist_items"
    __table_args__ = (Index("ix_wishlist_items_owner", "store_id", "owner", "added_at"),)

    store_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.stores.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(160), primary_key=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.products.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class RecentView(Base):
    """The last time a shopper viewed a product (a capped list per shopper)."""

    __tablename__ = "recent_views"
    __table_args__ = (Index("ix_recent_views_owner", "store_id", "owner", "viewed_at"),)

    store_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.stores.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(160), primary_key=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.products.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    viewed_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


# Read by discovery on the order tables: the orders holding a product (frequently bought
# together, verified purchases) and a store's orders by buyer email (verified purchases).
Index("ix_order_lines_product", OrderLine.product_id, OrderLine.order_id)
Index("ix_orders_store_email", Order.store_id, func.lower(Order.email))
