"""The outbox relay: committed events reach Redis, rolled-back ones never do, nothing is
lost while Redis is away or when the relay dies between publishing and forgetting."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from velox_shared.events import EventEnvelope, OutboxRelay, publish, publish_many
from velox_shared.events import relay as relay_module

from tests.redis_proxy import RedisProxy
from tests.shared.events.conftest import (
    Ctx,
    drain,
    entries,
    make_consumer,
    payload_model,
)


async def publish_in_batches(ctx: Ctx, count: int, *, per_tx: int = 10) -> list[EventEnvelope]:
    thing = payload_model(ctx.event_type)
    sent: list[EventEnvelope] = []
    for start in range(0, count, per_tx):
        async with ctx.sessions() as session, session.begin():
            for n in range(start, min(start + per_tx, count)):
                sent.append(await publish(session, ctx.tables, thing(n=n), account_id="acc_1"))
    return sent


async def outbox_size(ctx: Ctx) -> int:
    async with ctx.engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(ctx.tables.outbox))).scalar_one()
        )


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_committed_event_reaches_its_stream(ctx: Ctx, redis: Redis) -> None:
    [sent] = await publish_in_batches(ctx, 1)
    moved = await OutboxRelay(ctx.engine, redis, ctx.tables).relay_once()
    [(_, fields)] = await entries(redis, ctx.stream)
    received = EventEnvelope.model_validate_json(fields[b"envelope"])
    assert moved == 1
    assert received == sent
    assert received.account_id == "acc_1"
    assert received.payload == {"n": 0}
    assert await outbox_size(ctx) == 0


async def test_several_events_go_to_the_outbox_in_one_call_in_order(ctx: Ctx, redis: Redis) -> None:
    thing = payload_model(ctx.event_type)
    async with ctx.sessions() as session, session.begin():
        sent = await publish_many(
            session, ctx.tables, [thing(n=n) for n in range(3)], account_id="acc_1"
        )
        assert await publish_many(session, ctx.tables, []) == []
    assert await OutboxRelay(ctx.engine, redis, ctx.tables).relay_once() == 3
    received = [
        EventEnvelope.model_validate_json(f[b"envelope"])
        for _, f in await entries(redis, ctx.stream)
    ]
    assert received == sent
    assert [e.payload["n"] for e in received] == [0, 1, 2]


async def test_rolled_back_event_is_never_published(ctx: Ctx, redis: Redis) -> None:
    thing = payload_model(ctx.event_type)
    async with ctx.sessions() as session, session.begin():
        await publish(session, ctx.tables, thing(n=1))
        await session.rollback()
    assert await OutboxRelay(ctx.engine, redis, ctx.tables).relay_once() == 0
    assert await redis.xlen(ctx.stream) == 0


async def test_outbox_holds_events_while_redis_is_down_then_delivers(
    ctx: Ctx, redis_proxy: RedisProxy, redis: Redis
) -> None:
    flaky = Redis.from_url(redis_proxy.url, socket_timeout=1, socket_connect_timeout=1)
    relay = OutboxRelay(ctx.engine, flaky, ctx.tables, poll_interval=0.05, max_backoff=0.2)
    task = asyncio.create_task(relay.run())
    try:
        await redis_proxy.stop()
        await publish_in_batches(ctx, 25)
        await asyncio.sleep(1.0)  # the relay keeps trying against a dead Redis
        assert await outbox_size(ctx) == 25
        assert await redis.xlen(ctx.stream) == 0
        await redis_proxy.start()

        async def delivered() -> bool:
            return await redis.xlen(ctx.stream) == 25 and await outbox_size(ctx) == 0

        await wait_for(delivered)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await flaky.aclose()


async def test_relay_dying_after_publishing_duplicates_but_consumers_handle_once(
    ctx: Ctx, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = await publish_in_batches(ctx, 30)

    def crash(*_: object) -> None:
        raise RuntimeError("relay killed between XADD and DELETE")

    monkeypatch.setattr(relay_module, "delete", crash)
    with pytest.raises(RuntimeError):
        await OutboxRelay(ctx.engine, redis, ctx.tables).relay_once()
    monkeypatch.undo()
    assert await outbox_size(ctx) == 30  # the delete rolled back with the crash
    await OutboxRelay(ctx.engine, redis, ctx.tables).relay_once()  # the restarted relay
    assert await redis.xlen(ctx.stream) == 60
    consumer = make_consumer(redis, ctx)
    await consumer.ensure_groups()
    await drain(consumer)
    assert sorted(ctx.handled) == sorted(e.id for e in sent)


async def test_relay_wakes_on_commit_without_waiting_for_the_poll(ctx: Ctx, redis: Redis) -> None:
    relay = OutboxRelay(ctx.engine, redis, ctx.tables, poll_interval=60)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.3)  # relay is listening and idle
        await publish_in_batches(ctx, 3)

        async def arrived() -> bool:
            return await redis.xlen(ctx.stream) == 3

        await wait_for(arrived, timeout=10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_streams_are_trimmed_to_their_cap(ctx: Ctx, redis: Redis) -> None:
    await publish_in_batches(ctx, 600, per_tx=100)
    relay = OutboxRelay(ctx.engine, redis, ctx.tables, stream_maxlen=100, batch_size=50)
    while await relay.relay_once():
        pass
    # "~" trimming drops whole radix-tree nodes, so the length lands near, not at, the cap.
    assert await redis.xlen(ctx.stream) < 300
