from velox_analytics.db.models import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="analytics", metadata=Base.metadata)
