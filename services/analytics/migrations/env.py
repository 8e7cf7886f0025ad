from velox_shared.migrations import run_migrations

from velox_analytics.db.models import Base

run_migrations(schema="analytics", metadata=Base.metadata)
