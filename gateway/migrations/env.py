from velox_shared.migrations import run_migrations

from velox_gateway.db.models import Base

run_migrations(schema="gateway", metadata=Base.metadata)
