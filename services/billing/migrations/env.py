from velox_billing.db.models import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="billing", metadata=Base.metadata)
