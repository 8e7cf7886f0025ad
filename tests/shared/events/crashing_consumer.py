"""A consumer process that starts handling one event and hangs, to be killed mid-message.

Run by test_consumer.py as ``python -m tests.shared.events.crashing_consumer``.
"""

from __future__ import annotations

import asyncio
import os
import sys

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession
from velox_commerce.db.models import events
from velox_shared.db import create_engine, session_factory
from velox_shared.events import EventEnvelope, StreamConsumer


async def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"], schema="commerce")
    redis = Redis.from_url(os.environ["REDIS_URL"])

    async def hang(envelope: EventEnvelope, session: AsyncSession) -> None:
        print("handling", envelope.id, flush=True)
        await asyncio.sleep(3600)

    consumer = StreamConsumer(
        redis,
        session_factory(engine),
        events,
        group="g",
        consumer="doomed",
        streams=[os.environ["STREAM"]],
        handlers={os.environ["EVENT_TYPE"]: hang},
        block_ms=100,
    )
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
