"""Tables of the ``automation`` schema."""

from velox_shared.db import make_base
from velox_shared.events import event_tables

from velox_automation import SCHEMA

Base = make_base(SCHEMA)
events = event_tables(Base.metadata)
