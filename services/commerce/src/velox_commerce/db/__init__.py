"""The commerce schema's tables (importing this module registers every model)."""

from velox_commerce.db import (
    aftersales,
    catalog,
    checkout,
    customers,
    discovery,
    inventory,
    orders,
)
from velox_commerce.db.models import Base, events

__all__ = [
    "Base",
    "aftersales",
    "catalog",
    "checkout",
    "customers",
    "discovery",
    "events",
    "inventory",
    "orders",
]
