"""Fixtures for event tests: the commerce schema's outbox, unique streams, a Redis proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from velox_commerce.db.models import events as commerce_events
from velox_shared.db import create_engine, session_factory
from velox_shared.events import EventEnvelope, EventPayload, EventTables, Handler, StreamConsumer

from tests.conftest import DbInfo, Servers
from tests.redis_proxy import RedisProxy


@dataclass
class Ctx:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: EventTables
    event_type: str
    stream: str
    handled: list[str] = field(default_factory=list)


def payload_model(name: str) -> Any:
    class Thing(EventPayload):
        event_type: ClassVar[str] = name
        n: int

    return Thing


@pytest.fixture
async def ctx(database: DbInfo, redis: Redis, unique: str) -> AsyncIterator[Ctx]:
    engine = create_engine(database.url_for("commerce"), schema="commerce")
    event_type = f"t{unique}.thing.happened"
    context = Ctx(
        engine=engine,
        sessions=session_factory(engine),
        tables=commerce_events,
        event_type=event_type,
        stream=f"velox:events:t{unique}",
    )
    yield context
    async with engine.begin() as conn:
        await conn.execute(commerce_events.outbox.delete())
        await conn.execute(commerce_events.processed.delete())
    await engine.dispose()
    await redis.delete(context.stream, context.stream + ":dlq")


def make_consumer(
    redis: Redis,
    ctx: Ctx,
    *,
    group: str = "g",
    name: str = "c1",
    handler: Handler | None = None,
    **kwargs: object,
) -> StreamConsumer:
    """A consumer of ``ctx``'s stream; by default its handler records ids in ``ctx.handled``."""

    async def record(envelope: EventEnvelope, session: AsyncSession) -> None:
        ctx.handled.append(envelope.id)

    options: dict[str, object] = {"block_ms": 50, "claim_idle_ms": 200}
    options.update(kwargs)
    return StreamConsumer(
        redis,
        ctx.sessions,
        ctx.tables,
        group=group,
        consumer=name,
        streams=[ctx.stream],
        handlers={ctx.event_type: handler or record},
        **options,  # type: ignore[arg-type]
    )


async def drain(consumer: StreamConsumer, rounds: int = 20) -> None:
    """Poll until a round handles nothing."""
    for _ in range(rounds):
        if await consumer.poll() == 0:
            return


@pytest.fixture
async def redis_proxy(servers: Servers) -> AsyncIterator[RedisProxy]:
    from redis.asyncio.connection import parse_url

    parts = parse_url(servers.redis_url)
    proxy = RedisProxy(str(parts.get("host", "127.0.0.1")), int(parts.get("port", 6379)))
    await proxy.start()
    yield proxy
    await proxy.stop()


Factory = Callable[..., StreamConsumer]


async def entries(redis: Redis, stream: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """XRANGE of a whole stream, typed for the tests."""
    result: Any = await redis.xrange(stream)
    return list(result)
