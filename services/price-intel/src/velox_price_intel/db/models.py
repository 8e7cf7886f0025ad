"""Tables of the ``price_intel`` schema."""

from velox_shared.db import make_base
from velox_shared.events import event_tables

from velox_price_intel import SCHEMA

Base = make_base(SCHEMA)
events = event_tables(Base.metadata)
