from velox_shared.migrations import run_migrations

from velox_price_intel.db.models import Base

run_migrations(schema="price_intel", metadata=Base.metadata)
