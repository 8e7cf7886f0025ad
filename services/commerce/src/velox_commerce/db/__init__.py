"""The commerce schema's tables (importing this module registers every model)."""

from velox_commerce.db import catalog, checkout, inventory, orders
from velox_commerce.db.models import Base, events

__all__ = ["Base", "catalog", "checkout", "events", "inventory", "orders"]
