"""Cart and checkout tables: carts, their lines, promotions, gift cards, shipping, tax."""

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
    Numeric,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = [
    "Cart",
    "CartLine",
    "GiftCard",
    "Promotion",
    "ShippingMethod",
    "ShippingZone",
    "TaxRate",
]


class Cart(Base):
    """A guest's or customer's cart; ``status`` moves open -> completed (with its order)."""

    __tablename__ = "carts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'completed')", name="status"),
        Index("ix_carts_store_created", "store_id", "created_at", "id"),
        Index("ix_carts_customer", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    customer_id: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    coupon_codes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    gift_card_codes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    billing_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    shipping_method_id: Mapped[str | None] = mapped_column(String(40))
    # The PaymentIntent of the checkout in progress, and the amount it was made for.
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    payment_amount: Mapped[int | None] = mapped_column(BigInteger)
    reserved_until: Mapped[datetime | None] = mapped_column(Timestamp)
    order_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class CartLine(Base):
    """A variant in a cart, with the unit price quoted when it was added or last updated."""

    __tablename__ = "cart_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        Index("uq_cart_lines_cart_variant", "cart_id", "variant_id", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    cart_id: Mapped[str] = mapped_column(ForeignKey("commerce.carts.id", ondelete="CASCADE"))
    variant_id: Mapped[str] = mapped_column(ForeignKey("commerce.variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Promotion(Base):
    """A coupon (``code`` set) or an automatic promotion; see ``velox_commerce.pricing``."""

    __tablename__ = "promotions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('percentage', 'fixed', 'free_shipping', 'buy_x_get_y')", name="kind"
        ),
        CheckConstraint("value >= 0", name="value"),
        Index("ix_promotions_store_created", "store_id", "created_at", "id"),
        Index(
            "uq_promotions_store_code",
            "store_id",
            func.upper(text("code")),
            unique=True,
            postgresql_where=text("code IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    currency: Mapped[str | None] = mapped_column(String(3))
    min_subtotal: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    buy_quantity: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    get_quantity: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    get_discount_bp: Mapped[int] = mapped_column(Integer, server_default=text("10000"))
    product_ids: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    category_ids: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    combinable: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    starts_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ends_at: Mapped[datetime | None] = mapped_column(Timestamp)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    times_used: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class GiftCard(Base):
    """A prepaid balance redeemable by code; debited when an order is placed."""

    __tablename__ = "gift_cards"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance"),
        Index("uq_gift_cards_store_code", "store_id", "code", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    initial_balance: Mapped[int] = mapped_column(BigInteger)
    balance: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class ShippingZone(Base):
    """Countries (ISO 3166-1 alpha-2) served by a set of shipping methods."""

    __tablename__ = "shipping_zones"
    __table_args__ = (Index("ix_shipping_zones_store", "store_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    countries: Mapped[list[str]] = mapped_column(ARRAY(String(2)))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class ShippingMethod(Base):
    """A rate of a zone: flat, or tiers by weight (grams) or by subtotal (minor units)."""

    __tablename__ = "shipping_methods"
    __table_args__ = (
        CheckConstraint("kind IN ('flat', 'weight', 'price')", name="kind"),
        Index("ix_shipping_methods_zone", "zone_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    zone_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.shipping_zones.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # [[min, amount], ...]: grams for weight, minor units for price.
    tiers: Mapped[list[list[int]]] = mapped_column(JSONB, server_default="[]")
    free_over: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class TaxRate(Base):
    """A tax rate for a country or one of its regions and a tax code."""

    __tablename__ = "tax_rates"
    __table_args__ = (Index("ix_tax_rates_store_country", "store_id", "country"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    tax_code: Mapped[str] = mapped_column(String(32), server_default="standard")
    rate: Mapped[Any] = mapped_column(Numeric(7, 4))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
