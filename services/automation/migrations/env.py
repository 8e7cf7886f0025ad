from velox_automation.db.models import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="automation", metadata=Base.metadata)
