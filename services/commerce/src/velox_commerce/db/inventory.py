"""Inventory tables: locations, stock per variant and location, reservations, the ledger.

What a variant can still sell is ``on_hand - allocated`` summed over its locations, less
the live (unexpired) reservations of other carts. Every change to ``stock_levels`` locks
the rows it reads in one fixed order (variant id, then location id) in the same
transaction, so two checkouts never both take the last unit and never deadlock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from velox_commerce.db.models import Base, Timestamp

__all__ = ["Location", "Reservation", "StockLevel", "StockMovement"]


class Location(Base):
    """A place stock is kept; allocation takes from the lowest ``priority`` first."""

    __tablename__ = "locations"
    __table_args__ = (Index("ix_locations_store", "store_id", "priority"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class StockLevel(Base):
    """On hand and allocated (sold, not yet shipped) units of a variant at a location."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("allocated >= 0", name="allocated"),
        Index("ix_stock_levels_location", "location_id"),
    )

    variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.locations.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    on_hand: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    allocated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    low_stock_threshold: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class Reservation(Base):
    """Units held for a cart in checkout until ``expires_at``."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        Index("ix_reservations_variant_expires", "variant_id", "expires_at"),
    )

    cart_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.carts.id", ondelete="CASCADE"), primary_key=True
    )
    variant_id: Mapped[str] = mapped_column(
        ForeignKey("commerce.variants.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)


class StockMovement(Base):
    """The append-only ledger: every change to on-hand or allocated units, with its cause.

    An UPDATE is refused by a trigger (see migration 0002); rows go only with their store.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receive', 'adjust', 'allocate', 'release', 'fulfil', 'return')",
            name="kind",
        ),
        Index("ix_stock_movements_variant", "variant_id", "id"),
        Index("ix_stock_movements_store", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(ForeignKey("commerce.stores.id", ondelete="CASCADE"))
    variant_id: Mapped[str] = mapped_column(String(40))
    location_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    on_hand_delta: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    allocated_delta: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reference: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
