from velox_shared.migrations import run_migrations

from velox_billing.db.models import Base

run_migrations(schema="billing", metadata=Base.metadata)
