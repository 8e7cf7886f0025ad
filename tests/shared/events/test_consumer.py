"""Consumer groups: ack after commit, once per group, retries, dead letters, crash recovery."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.events import EventEnvelope, after_commit, before_commit, new_envelope

from tests.conftest import DbInfo, Servers
from tests.shared.events.conftest import Ctx, drain, entries, make_consumer, payload_model


async def add(redis: Redis, ctx: Ctx, count: int) -> list[EventEnvelope]:
    thing = payload_model(ctx.event_type)
    sent = [new_envelope(thing(n=n), account_id="acc_1") for n in range(count)]
    for envelope in sent:
        await redis.xadd(ctx.stream, {"envelope": envelope.model_dump_json()})
    return sent


async def pending(redis: Redis, ctx: Ctx, group: str = "g") -> int:
    return int((await redis.xpending(ctx.stream, group))["pending"])


async def test_handled_events_are_acknowledged(ctx: Ctx, redis: Redis) -> None:
    consumer = make_consumer(redis, ctx)
    await consumer.ensure_groups()
    sent = await add(redis, ctx, 5)
    await drain(consumer)
    assert ctx.handled == [e.id for e in sent]
    assert await pending(redis, ctx) == 0


async def test_a_redelivered_event_is_handled_once_per_group(ctx: Ctx, redis: Redis) -> None:
    first, second = make_consumer(redis, ctx, group="a"), make_consumer(redis, ctx, group="b")
    for consumer in (first, second):
        await consumer.ensure_groups()
    [envelope] = await add(redis, ctx, 1)
    await redis.xadd(ctx.stream, {"envelope": envelope.model_dump_json()})  # a duplicate
    await drain(first)
    await drain(second)
    assert ctx.handled == [envelope.id, envelope.id]  # once in "a", once in "b"
    assert await pending(redis, ctx, "a") == await pending(redis, ctx, "b") == 0


async def test_consumers_sharing_a_group_split_the_work_without_overlap(
    ctx: Ctx, redis: Redis
) -> None:
    consumers = [make_consumer(redis, ctx, name=f"c{i}", batch_size=7) for i in range(3)]
    await consumers[0].ensure_groups()
    sent = await add(redis, ctx, 60)
    await asyncio.gather(*(drain(c) for c in consumers))
    assert sorted(ctx.handled) == sorted(e.id for e in sent)


async def test_a_failing_handler_is_retried_and_its_writes_roll_back(
    ctx: Ctx, redis: Redis
) -> None:
    failures = 2

    async def flaky(envelope: EventEnvelope, session: AsyncSession) -> None:
        nonlocal failures
        ctx.handled.append(envelope.id)
        if failures:
            failures -= 1
            raise RuntimeError("downstream hiccup")

    consumer = make_consumer(redis, ctx, handler=flaky, claim_idle_ms=100)
    await consumer.ensure_groups()
    [envelope] = await add(redis, ctx, 1)
    for _ in range(40):
        await consumer.poll()
        if await pending(redis, ctx) == 0:
            break
        await asyncio.sleep(0.05)
    # Two failed attempts rolled back their processed-id row, so the third one ran.
    assert ctx.handled == [envelope.id] * 3
    assert await pending(redis, ctx) == 0
    assert await redis.xlen(ctx.stream + ":dlq") == 0


async def test_one_failing_event_in_a_batch_does_not_hold_back_the_others(
    ctx: Ctx, redis: Redis
) -> None:
    sent: list[EventEnvelope] = []

    async def picky(envelope: EventEnvelope, session: AsyncSession) -> None:
        ctx.handled.append(envelope.id)
        if envelope.id == sent[2].id:
            raise RuntimeError("this one is bad")

    consumer = make_consumer(redis, ctx, handler=picky, claim_idle_ms=60_000)
    await consumer.ensure_groups()
    sent.extend(await add(redis, ctx, 5))
    await consumer.poll()
    # The batch ran once and rolled back at the bad event, then each event ran alone.
    assert ctx.handled[:3] == [e.id for e in sent[:3]]
    assert ctx.handled[3:] == [e.id for e in sent]
    assert await pending(redis, ctx) == 1  # only the bad one waits for a retry
    detail = await redis.xpending_range(ctx.stream, "g", min="-", max="+", count=10)
    assert len(detail) == 1


async def test_after_commit_callbacks_run_only_for_committed_work(ctx: Ctx, redis: Redis) -> None:
    sent: list[EventEnvelope] = []
    ran: list[str] = []

    async def handler(envelope: EventEnvelope, session: AsyncSession) -> None:
        async def note() -> None:
            ran.append(envelope.id)

        after_commit(session, note)
        if envelope.id == sent[1].id:
            raise RuntimeError("rolled back")

    consumer = make_consumer(redis, ctx, handler=handler, claim_idle_ms=60_000)
    await consumer.ensure_groups()
    sent.extend(await add(redis, ctx, 3))
    await consumer.poll()
    # The failed batch ran none of its callbacks; the retries one by one ran the good ones.
    assert ran == [sent[0].id, sent[2].id]


async def test_before_commit_runs_once_per_batch_inside_its_transaction(
    ctx: Ctx, redis: Redis
) -> None:
    flushed: list[list[int]] = []
    fail_flush = True

    async def tally(envelope: EventEnvelope, session: AsyncSession) -> None:
        session.info.setdefault("tally", []).append(envelope.payload["n"])

        async def flush() -> None:
            numbers = session.info.pop("tally")
            # Inside the batch's transaction: this statement shares its fate.
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
            if fail_flush and len(numbers) > 1:
                raise RuntimeError("the batch statement failed")
            flushed.append(numbers)

        before_commit(session, "tally", flush)

    consumer = make_consumer(redis, ctx, handler=tally, claim_idle_ms=60_000)
    await consumer.ensure_groups()
    await add(redis, ctx, 4)
    await consumer.poll()
    # The batch's one flush failed, so the batch rolled back and each event ran alone.
    assert flushed == [[0], [1], [2], [3]]
    assert await pending(redis, ctx) == 0

    fail_flush = False
    flushed.clear()
    await add(redis, ctx, 3)
    await consumer.poll()
    assert flushed == [[0, 1, 2]]  # one flush for the whole batch


async def test_a_poison_message_goes_to_the_dead_letter_stream(ctx: Ctx, redis: Redis) -> None:
    async def always_fails(envelope: EventEnvelope, session: AsyncSession) -> None:
        raise ValueError("cannot handle this")

    consumer = make_consumer(redis, ctx, handler=always_fails, claim_idle_ms=100, max_deliveries=3)
    await consumer.ensure_groups()
    [envelope] = await add(redis, ctx, 1)
    for _ in range(60):
        await consumer.poll()
        if await redis.xlen(ctx.stream + ":dlq"):
            break
        await asyncio.sleep(0.05)
    [(_, dead)] = await entries(redis, ctx.stream + ":dlq")
    assert EventEnvelope.model_validate_json(dead[b"envelope"]).id == envelope.id
    assert dead[b"group"] == b"g"
    assert b"3 deliveries" in dead[b"error"]
    assert await pending(redis, ctx) == 0


async def test_an_invalid_envelope_is_dead_lettered_at_once(ctx: Ctx, redis: Redis) -> None:
    consumer = make_consumer(redis, ctx)
    await consumer.ensure_groups()
    await redis.xadd(ctx.stream, {"envelope": b'{"id": "evt_1", "type": 42}'})
    await drain(consumer)
    [(_, dead)] = await entries(redis, ctx.stream + ":dlq")
    assert b"invalid envelope" in dead[b"error"]
    assert ctx.handled == []
    assert await pending(redis, ctx) == 0


async def test_events_of_other_types_are_acknowledged_and_ignored(ctx: Ctx, redis: Redis) -> None:
    consumer = make_consumer(redis, ctx)
    await consumer.ensure_groups()
    other = payload_model(ctx.event_type + ".other")
    await redis.xadd(
        ctx.stream, {"envelope": new_envelope(other(n=1), account_id=None).model_dump_json()}
    )
    await drain(consumer)
    assert ctx.handled == []
    assert await pending(redis, ctx) == 0


async def test_a_consumer_killed_mid_message_loses_nothing(
    ctx: Ctx, redis: Redis, database: DbInfo, servers: Servers
) -> None:
    consumer = make_consumer(redis, ctx, name="survivor", claim_idle_ms=300)
    await consumer.ensure_groups()
    [envelope] = await add(redis, ctx, 1)
    env = {
        **os.environ,
        "DATABASE_URL": database.url_for("commerce"),
        "REDIS_URL": servers.redis_url,
        "STREAM": ctx.stream,
        "EVENT_TYPE": ctx.event_type,
    }
    doomed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.shared.events.crashing_consumer",
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    assert doomed.stdout is not None
    line = await asyncio.wait_for(doomed.stdout.readline(), 30)
    assert line.split() == [b"handling", envelope.id.encode()]
    doomed.send_signal(signal.SIGKILL)  # dies inside the handler's transaction
    await doomed.wait()
    assert await pending(redis, ctx) == 1
    for _ in range(40):
        await consumer.poll()
        if ctx.handled:
            break
        await asyncio.sleep(0.1)
    assert ctx.handled == [envelope.id]
    assert await pending(redis, ctx) == 0
