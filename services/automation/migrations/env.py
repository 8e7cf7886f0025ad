from velox_shared.migrations import run_migrations

from velox_automation.db.models import Base

run_migrations(schema="automation", metadata=Base.metadata)
