from velox_gateway.db.models import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="gateway", metadata=Base.metadata)
