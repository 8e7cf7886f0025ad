from velox_shared.migrations import run_migrations
from velox_trading.db.models import Base

run_migrations(schema="trading", metadata=Base.metadata)
