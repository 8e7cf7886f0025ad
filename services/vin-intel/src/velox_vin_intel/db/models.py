"""Tables of the ``vin_intel`` schema: each account's decode history and the vPIC cache.

Bulk job tables live in :mod:`velox_vin_intel.db.jobs` on the same metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from velox_shared.db import schema_metadata
from velox_shared.events import event_tables

from velox_vin_intel import SCHEMA


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


events = event_tables(Base.metadata)

Timestamp = DateTime(timezone=True)


class Decode(Base):
    """One VIN an account decoded (single or batch call), with the answer it got."""

    __tablename__ = "decodes"
    __table_args__ = (
        Index("ix_decodes_account_created", "account_id", "created_at", "id"),
        Index("ix_decodes_account_vin", "account_id", "vin"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64))
    vin: Mapped[str] = mapped_column(String(17))
    valid: Mapped[bool] = mapped_column(Boolean)
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    model_year: Mapped[int | None] = mapped_column(Integer)
    enrichment: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())


class VpicCacheEntry(Base):
    """vPIC's answer for a VIN, kept 90 days (Redis keeps the hot copy 30 days)."""

    __tablename__ = "vpic_cache"

    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSONB)
    fetched_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
