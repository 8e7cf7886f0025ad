from velox_commerce.db import Base
from velox_shared.migrations import run_migrations

run_migrations(schema="commerce", metadata=Base.metadata)
