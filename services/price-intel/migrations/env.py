from velox_price_intel.db.models import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="price_intel", metadata=Base.metadata)
