"""The outbox and processed-event tables each service keeps in its own schema."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    MetaData,
    String,
    Table,
    Text,
    func,
)

__all__ = ["EventTables", "event_tables", "notify_channel"]


@dataclass(frozen=True)
class EventTables:
    outbox: Table
    processed: Table
    schema: str


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel an outbox insert signals, e.g. ``velox_outbox_commerce``."""
    return f"velox_outbox_{schema}"


def event_tables(metadata: MetaData) -> EventTables:
    """Declare ``outbox`` and ``processed_events`` on a service's schema-bound metadata.

    Example::

        Base = make_base("commerce")
        events = event_tables(Base.metadata)
    """
    if not metadata.schema:
        raise ValueError("event tables need a schema-bound MetaData")
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("stream", String(128), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    processed = Table(
        "processed_events",
        metadata,
        Column("consumer_group", String(128), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column(
            "processed_at",
            DateTime(timezone=True),
            nullable=False,
            server_default=func.now(),
            index=True,
        ),
    )
    return EventTables(outbox=outbox, processed=processed, schema=metadata.schema)
