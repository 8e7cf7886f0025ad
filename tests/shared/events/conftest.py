"""Fixtures for event tests: an outbox in a scratch schema of their own, unique streams,
a Redis proxy.

The tests get their own schema because the services' apps started by other tests run
outbox relays on their schemas: a relay draining the same outbox would race the relay
under test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from redis.asyncio import Redis
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from velox_shared.db import create_engine, session_factory
from velox_shared.events import (
    EventEnvelope,
    EventPayload,
    EventTables,
    Handler,
    StreamConsumer,
    event_tables,
)
from velox_shared.migrations import create_event_tables_v1

from tests.conftest import DbInfo, Servers
from tests.redis_proxy import RedisProxy

SCRATCH_SCHEMA = "events_scratch"


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


def _create_event_tables(conn: Connection, schema: str) -> None:
    """The services' own migration step (outbox with its NOTIFY trigger), run by Alembic."""
    with Operations.context(MigrationContext.configure(conn)):
        create_event_tables_v1(schema)


@pytest.fixture(scope="session")
async def scratch_events(database: DbInfo) -> AsyncIterator[EventTables]:
    """Outbox tables in a schema no service's relay watches, dropped at the end."""
    schema = SCRATCH_SCHEMA
    tables = event_tables(MetaData(schema=schema))
    engine = create_engine(database.admin_url, schema=None)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(_create_event_tables, schema)
    yield tables
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def ctx(
    database: DbInfo, redis: Redis, unique: str, scratch_events: EventTables
) -> AsyncIterator[Ctx]:
    engine = create_engine(database.admin_url, schema=SCRATCH_SCHEMA)
    event_type = f"t{unique}.thing.happened"
    context = Ctx(
        engine=engine,
        sessions=session_factory(engine),
        tables=scratch_events,
        event_type=event_type,
        stream=f"velox:events:t{unique}",
    )
    yield context
    async with engine.begin() as conn:
        await conn.execute(scratch_events.outbox.delete())
        await conn.execute(scratch_events.processed.delete())
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
    proxy = RedisProxy(
        str(parts.get("host", "127.0.0.1")), int(parts.get("port", 6379)), int(parts.get("db", 0))
    )
    await proxy.start()
    yield proxy
    await proxy.stop()


Factory = Callable[..., StreamConsumer]


async def entries(redis: Redis, stream: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """XRANGE of a whole stream, typed for the tests."""
    result: Any = await redis.xrange(stream)
    return list(result)
