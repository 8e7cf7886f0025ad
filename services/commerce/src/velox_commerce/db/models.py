"""The ``commerce`` schema's declarative base and event tables.

The models live beside it by domain: :mod:`.catalog`, :mod:`.inventory`, :mod:`.checkout`
and :mod:`.orders` (importing :mod:`velox_commerce.db` registers them all).
"""

from sqlalchemy import DateTime
from sqlalchemy.orm import DeclarativeBase
from velox_shared.db import schema_metadata
from velox_shared.events import event_tables

from velox_commerce import SCHEMA

__all__ = ["Base", "Timestamp", "events"]


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


events = event_tables(Base.metadata)

Timestamp = DateTime(timezone=True)
