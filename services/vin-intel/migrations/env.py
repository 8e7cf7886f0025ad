from velox_shared.migrations import run_migrations
from velox_vin_intel.db.models import Base

run_migrations(schema="vin_intel", metadata=Base.metadata)
