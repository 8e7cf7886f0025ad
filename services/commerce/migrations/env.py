from velox_shared.migrations import run_migrations

from velox_commerce.db.models import Base

run_migrations(schema="commerce", metadata=Base.metadata)
