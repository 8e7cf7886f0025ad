"""Events benchmark: the outbox path end to end against raw Redis Streams, in one run.

End to end: producer tasks commit events to the ``commerce`` outbox with
:func:`velox_shared.events.publish`, an :class:`~velox_shared.events.OutboxRelay` moves them
to a Redis stream and a :class:`~velox_shared.events.StreamConsumer` in a consumer group
handles them (``processed_events`` row and handler in one transaction, then XACK).

Raw: the same envelopes XADDed and read with XREADGROUP + XACK on the same Redis, shaped
like the relay and the consumer (see :data:`RAW_METHOD`).

Run ``python -m bench.events`` (or ``make bench``). Settings come from the environment:
``BENCH_EVENTS`` (20000), ``BENCH_PRODUCERS`` (4), ``BENCH_PER_TXN`` (10),
``BENCH_RELAY_BATCH`` (500), ``BENCH_CONSUMER_BATCH`` (100), ``BENCH_RATE`` (paced rate
of the latency runs, events/s; default half the slower measured throughput),
``BENCH_SINGLE`` (1: also a 1-event-per-transaction run), ``BENCH_STRICT`` (1: exit 1 when a
target is missed), ``BENCH_PROFILE`` (a file: cProfile stats of the end-to-end throughput
run). ``DATABASE_URL`` (an admin URL) and ``REDIS_URL`` select servers; without them
embedded ones start in a temporary folder. Everything the run creates (a database, roles,
streams) is removed at the end. Results go to ``bench/results/events.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from velox_commerce.db.models import events as tables
from velox_devstack.components import COMPONENTS, Component
from velox_devstack.database import component_url, migrate_all
from velox_shared.db import create_engine, session_factory
from velox_shared.events import (
    EventEnvelope,
    EventPayload,
    EventTables,
    OutboxRelay,
    StreamConsumer,
    new_envelope,
    publish,
    publish_many,
    stream_for,
)
from velox_shared.events.consumer import DEAD_LETTER_SUFFIX

from bench.common import (
    describe_servers,
    env_number,
    percentile,
    scratch_database,
    server_versions,
    servers,
    write_results,
)

RESULTS = Path(__file__).resolve().parent / "results" / "events.json"
SCHEMA = "commerce"
ACCOUNT = "acc_bench"
RUN_TIMEOUT = 90.0
RAW_METHOD = (
    "raw: one producer task XADDs (MAXLEN ~ {maxlen}) in non-transactional pipelines of "
    "{relay_batch} (the relay's batch) while one consumer XREADGROUPs COUNT {consumer_batch} "
    "BLOCK 1000 (the consumer's batch), json-decodes each envelope, calls the handler and "
    "XACKs the batch's ids in one command; same Redis, same envelopes, same process"
)
LATENCY_METHOD = (
    "latency: from the producer issuing COMMIT (raw: issuing the XADD pipeline) to handler "
    "invocation; each payload carries its transaction's key, the producer stamps that key "
    "with time.perf_counter() just before COMMIT, the handler looks the stamp up"
)

_log = logging.getLogger("bench.events")


@dataclass(frozen=True)
class Settings:
    events: int
    producers: int
    per_txn: int
    relay_batch: int
    consumer_batch: int
    rate: float | None
    single: bool
    strict: bool
    profile: str | None

    @classmethod
    def from_env(cls) -> Settings:
        rate = os.environ.get("BENCH_RATE")
        return cls(
            events=env_number("BENCH_EVENTS", 20_000),
            producers=env_number("BENCH_PRODUCERS", 4),
            per_txn=env_number("BENCH_PER_TXN", 10),
            relay_batch=env_number("BENCH_RELAY_BATCH", 500),
            consumer_batch=env_number("BENCH_CONSUMER_BATCH", 100),
            rate=float(rate) if rate else None,
            single=os.environ.get("BENCH_SINGLE", "1") != "0",
            strict=os.environ.get("BENCH_STRICT", "0") == "1",
            profile=os.environ.get("BENCH_PROFILE") or None,
        )


class BenchPayload(EventPayload):
    """The fields every benchmark event carries (its transaction's key, its sequence number)."""

    event_type: ClassVar[str] = "bench.event"
    key: int
    seq: int
    order_id: str


def payload_model(type_name: str) -> type[BenchPayload]:
    """A payload model pinned to this run's unique event type (hence its own stream)."""

    class BenchEvent(BenchPayload):
        event_type: ClassVar[str] = type_name

    return BenchEvent


# --------------------------------------------------------------------------- measuring


@dataclass
class Tracker:
    """Arrival bookkeeping shared by producers (issue stamps) and the handler (arrivals)."""

    expected: int
    issued: dict[int, float] = field(default_factory=dict)
    arrivals: list[tuple[int, float]] = field(default_factory=list)
    duplicates: int = 0
    started: float = 0.0
    produced: float = 0.0
    finished: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._seen = bytearray(self.expected)

    def arrived(self, key: int, seq: int) -> None:
        now = time.perf_counter()
        if self._seen[seq]:
            self.duplicates += 1
            return
        self._seen[seq] = 1
        self.arrivals.append((key, now))
        if len(self.arrivals) == self.expected:
            self.finished = now
            self.done.set()

    async def wait(self, what: str) -> None:
        try:
            await asyncio.wait_for(self.done.wait(), RUN_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"{what}: only {len(self.arrivals)}/{self.expected} events arrived "
                f"within {RUN_TIMEOUT:.0f}s"
            ) from None

    def latencies_ms(self) -> list[float]:
        return sorted((t - self.issued[key]) * 1000 for key, t in self.arrivals)


@dataclass
class Result:
    name: str
    events: int
    per_txn: int
    seconds: float
    events_per_s: float
    producer_events_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    duplicates: int
    paced_rate: float | None = None
    checks: dict[str, int] = field(default_factory=dict)


def summarise(
    name: str, tracker: Tracker, per_txn: int, rate: float | None, checks: dict[str, int]
) -> Result:
    lat = tracker.latencies_ms()
    seconds = tracker.finished - tracker.started
    return Result(
        name=name,
        events=tracker.expected,
        per_txn=per_txn,
        seconds=round(seconds, 3),
        events_per_s=round(tracker.expected / seconds, 1),
        producer_events_per_s=round(tracker.expected / (tracker.produced - tracker.started), 1),
        p50_ms=round(percentile(lat, 50), 3),
        p99_ms=round(percentile(lat, 99), 3),
        max_ms=round(lat[-1], 3),
        duplicates=tracker.duplicates,
        paced_rate=rate,
        checks=checks,
    )


class Schedule:
    """Hands out transaction numbers; when paced, releases each at its slot in time."""

    def __init__(self, transactions: int, per_txn: int, rate: float | None) -> None:
        self._next = 0
        self.transactions = transactions
        self._interval = per_txn / rate if rate else 0.0
        self._start = 0.0

    def start(self) -> None:
        self._start = time.perf_counter()

    async def take(self) -> int | None:
        number = self._next
        if number >= self.transactions:
            return None
        self._next += 1
        if self._interval:
            delay = self._start + number * self._interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        return number


# --------------------------------------------------------------------------- servers


@dataclass
class Database:
    url: str
    component: Component
    prefix: str

    @property
    def commerce_url(self) -> str:
        return component_url(self.url, self.component, self.prefix)


@contextlib.asynccontextmanager
async def database(admin_url: str, suffix: str) -> AsyncIterator[Database]:
    """A fresh database with the commerce schema migrated; dropped (with its roles) after."""
    name, prefix = f"bench_{suffix}", f"bench{suffix}_"
    component = next(c for c in COMPONENTS if c.schema == SCHEMA)
    async with scratch_database(admin_url, name, prefix, (component,)) as url:
        await asyncio.to_thread(migrate_all, url, prefix, (component,))
        yield Database(url, component, prefix)


# --------------------------------------------------------------------------- the two paths


class Bench:
    def __init__(
        self, settings: Settings, db: Database, tables: EventTables, redis_url: str, suffix: str
    ) -> None:
        self.s = settings
        self.db = db
        self.tables = tables
        self.redis_url = redis_url
        self.suffix = suffix
        self.streams: list[str] = []
        self._runs = 0

    def _event_type(self) -> str:
        self._runs += 1
        return f"bench{self.suffix}r{self._runs}.event"

    def _redis(self) -> Redis:
        return Redis.from_url(self.redis_url)

    async def outbox(
        self, name: str, events: int, per_txn: int, rate: float | None = None
    ) -> Result:
        """Producers -> outbox -> relay -> stream -> StreamConsumer (one group, one member)."""
        event_type = self._event_type()
        stream = stream_for(event_type)
        self.streams.append(stream)
        group = f"bench-{self._runs}"
        model = payload_model(event_type)
        tracker = Tracker(events)
        schedule = Schedule(-(-events // per_txn), per_txn, rate)

        async def handler(envelope: EventEnvelope, session: AsyncSession) -> None:
            tracker.arrived(envelope.payload["key"], envelope.payload["seq"])

        url = self.db.commerce_url
        producer_engine = create_engine(url, schema=SCHEMA, pool_size=self.s.producers)
        relay_engine = create_engine(url, schema=SCHEMA, pool_size=2)
        consumer_engine = create_engine(url, schema=SCHEMA, pool_size=2)
        relay_redis, consumer_redis = self._redis(), self._redis()
        relay = OutboxRelay(relay_engine, relay_redis, self.tables, batch_size=self.s.relay_batch)
        consumer = StreamConsumer(
            consumer_redis,
            session_factory(consumer_engine),
            self.tables,
            group=group,
            consumer=f"{group}-1",
            streams=[stream],
            handlers={event_type: handler},
            batch_size=self.s.consumer_batch,
        )
        sessions = session_factory(producer_engine)

        async def produce() -> None:
            while (txn := await schedule.take()) is not None:
                first = txn * per_txn
                bodies = [
                    model(key=txn, seq=seq, order_id=f"ord_{seq:012d}")
                    for seq in range(first, min(first + per_txn, events))
                ]
                async with sessions() as session, session.begin():
                    if len(bodies) == 1:
                        await publish(session, self.tables, bodies[0], account_id=ACCOUNT)
                    else:
                        await publish_many(session, self.tables, bodies, account_id=ACCOUNT)
                    tracker.issued[txn] = time.perf_counter()

        try:
            await consumer.ensure_groups()
            await _warm(producer_engine, self.s.producers)
            tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
            await asyncio.sleep(0.3)  # the relay LISTENs, the consumer blocks on XREADGROUP
            try:
                tracker.started = time.perf_counter()
                schedule.start()
                await asyncio.gather(*(produce() for _ in range(self.s.producers)))
                tracker.produced = time.perf_counter()
                await tracker.wait(name)
                checks = await self._settle(consumer_redis, consumer_engine, stream, group)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for engine in (producer_engine, relay_engine, consumer_engine):
                await engine.dispose()
            for client in (relay_redis, consumer_redis):
                await client.aclose()
        return summarise(name, tracker, per_txn, rate, checks)

    async def _settle(
        self, redis: Redis, engine: AsyncEngine, stream: str, group: str
    ) -> dict[str, int]:
        """After the last handler call: wait for its XACK, then count what is left."""
        pending = -1
        for _ in range(100):
            summary: Any = await redis.xpending(stream, group)
            pending = int(summary["pending"])
            if pending == 0:
                break
            await asyncio.sleep(0.02)
        processed, outbox = self.tables.processed, self.tables.outbox
        async with engine.connect() as conn:
            rows = await conn.scalar(
                select(func.count()).where(processed.c.consumer_group == group)
            )
            left = await conn.scalar(select(func.count()).select_from(outbox))
        return {"pending": pending, "processed_rows": int(rows or 0), "outbox_left": int(left or 0)}

    async def raw(self, name: str, events: int, per_txn: int, rate: float | None = None) -> Result:
        """XADD pipelines -> stream -> XREADGROUP + XACK, no database anywhere."""
        event_type = self._event_type()
        stream = f"velox:bench{self.suffix}:raw{self._runs}"
        self.streams.append(stream)
        group = f"bench-{self._runs}"
        model = payload_model(event_type)
        tracker = Tracker(events)
        paced = rate is not None
        # Unpaced: one task, pipelines of the relay's batch, as the relay sends.
        # Paced: like the outbox producers, `per_txn` events per pipeline from each task.
        size = per_txn if paced else self.s.relay_batch
        schedule = Schedule(-(-events // size), size, rate)
        producer_redis, consumer_redis = self._redis(), self._redis()
        await consumer_redis.xgroup_create(stream, group, id="0", mkstream=True)

        async def handler(envelope: dict[str, Any]) -> None:
            tracker.arrived(envelope["payload"]["key"], envelope["payload"]["seq"])

        async def produce() -> None:
            while (batch := await schedule.take()) is not None:
                first = batch * size
                async with producer_redis.pipeline(transaction=False) as pipe:
                    for seq in range(first, min(first + size, events)):
                        body = model(key=batch, seq=seq, order_id=f"ord_{seq:012d}")
                        envelope = new_envelope(body, account_id=ACCOUNT)
                        pipe.xadd(
                            stream,
                            {"envelope": envelope.model_dump_json()},
                            maxlen=100_000,
                            approximate=True,
                        )
                    tracker.issued[batch] = time.perf_counter()
                    await pipe.execute()

        async def consume() -> None:
            while True:
                reply: Any = await consumer_redis.xreadgroup(
                    group, f"{group}-1", {stream: ">"}, count=self.s.consumer_batch, block=1000
                )
                for _stream, messages in reply or []:
                    ids = []
                    for message_id, fields in messages:
                        await handler(json.loads(fields[b"envelope"]))
                        ids.append(message_id)
                    await consumer_redis.xack(stream, group, *ids)

        try:
            task = asyncio.create_task(consume())
            await asyncio.sleep(0.3)
            try:
                tracker.started = time.perf_counter()
                schedule.start()
                workers = self.s.producers if paced else 1
                await asyncio.gather(*(produce() for _ in range(workers)))
                tracker.produced = time.perf_counter()
                await tracker.wait(name)
                pending = -1
                for _ in range(100):
                    summary: Any = await consumer_redis.xpending(stream, group)
                    pending = int(summary["pending"])
                    if pending == 0:
                        break
                    await asyncio.sleep(0.02)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        finally:
            for client in (producer_redis, consumer_redis):
                await client.aclose()
        return summarise(name, tracker, size, rate, {"pending": pending})

    async def cleanup(self) -> None:
        client = self._redis()
        try:
            keys = [s for stream in self.streams for s in (stream, stream + DEAD_LETTER_SUFFIX)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


async def _warm(engine: AsyncEngine, connections: int) -> None:
    """Open the producers' pooled connections before the clock starts."""
    conns = [await engine.connect() for _ in range(connections)]
    for conn in conns:
        await conn.close()


# --------------------------------------------------------------------------- reporting


def _fmt(result: Result) -> str:
    return (
        f"{result.events_per_s:>9,.0f} events/s  ({result.events:,} in {result.seconds:.2f}s; "
        f"producers {result.producer_events_per_s:,.0f}/s)  "
        f"p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms"
    )


async def _profiled(path: str | None, run: Callable[[], Awaitable[Result]]) -> Result:
    if not path:
        return await run()
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        return await run()
    finally:
        profiler.disable()
        profiler.dump_stats(path)


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    s = Settings.from_env()
    suffix = secrets.token_hex(4)
    started = time.perf_counter()
    async with servers() as srv, database(srv.admin_url, suffix) as db:
        versions = await server_versions(srv.admin_url, srv.redis_url)
        bench = Bench(s, db, tables, srv.redis_url, suffix)
        setup_s = time.perf_counter() - started
        try:
            warm = max(200, min(2_000, s.events // 10))
            await bench.raw("warm-up raw", warm, s.per_txn)
            await bench.outbox("warm-up outbox", warm, s.per_txn)
            gc.collect()

            raw = await bench.raw("raw", s.events, s.per_txn)
            e2e = await _profiled(
                s.profile, lambda: bench.outbox("end-to-end", s.events, s.per_txn)
            )
            single = await bench.outbox("end-to-end 1/txn", s.events, 1) if s.single else None

            rate = s.rate or float(
                max(100, round(min(raw.events_per_s, e2e.events_per_s) / 200) * 100)
            )
            paced_n = max(500, min(s.events, int(rate * 4)))
            raw_paced = await bench.raw("raw paced", paced_n, s.per_txn, rate)
            e2e_paced = await bench.outbox("end-to-end paced", paced_n, s.per_txn, rate)
        finally:
            await bench.cleanup()

    ratio = raw.events_per_s / e2e.events_per_s
    targets = {
        "end_to_end_at_least_5000_per_s": e2e.events_per_s >= 5_000,
        "within_3x_of_raw": ratio <= 3.0,
    }
    raw_method = RAW_METHOD.format(
        maxlen=100_000, relay_batch=s.relay_batch, consumer_batch=s.consumer_batch
    )
    report: dict[str, Any] = {
        "settings": asdict(s),
        "servers": {"embedded": srv.embedded, **versions, "cpus": os.cpu_count()},
        "method": {
            "end_to_end": (
                f"{s.producers} producer tasks commit {s.per_txn} events per transaction with "
                f"velox_shared.events.publish_many (1/txn: publish) into commerce.outbox; one "
                f"OutboxRelay (batch {s.relay_batch}) and one StreamConsumer (group of one "
                f"member, batch {s.consumer_batch}; the batch's processed_events rows and "
                "handlers in one transaction, then one XACK), all in this process's event loop"
            ),
            "raw": raw_method,
            "latency": LATENCY_METHOD,
            "paced": (
                "throughput runs are unthrottled, so their latencies are mostly queueing; "
                "the paced runs release transactions (raw: pipelines of the same size) "
                "at a fixed rate below both capacities to show the path's own latency"
            ),
        },
        "raw": asdict(raw),
        "end_to_end": asdict(e2e),
        "end_to_end_single": asdict(single) if single else None,
        "raw_paced": asdict(raw_paced),
        "end_to_end_paced": asdict(e2e_paced),
        "ratio_raw_over_end_to_end": round(ratio, 2),
        "targets": targets,
        "setup_seconds": round(setup_s, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    write_results(RESULTS, report)

    print(f"Velox events benchmark: {s.events:,} events, {describe_servers(srv, versions)}")
    print(f"  end-to-end ({s.per_txn}/txn): {_fmt(e2e)}")
    if single:
        print(f"  end-to-end (1/txn):  {_fmt(single)}")
    print(f"  raw streams:         {_fmt(raw)}")
    print(f"  ratio raw/end-to-end: {ratio:.2f}x")
    print(f"  paced at {rate:,.0f} events/s ({paced_n:,} events):")
    print(f"    end-to-end  p50 {e2e_paced.p50_ms:.2f} ms  p99 {e2e_paced.p99_ms:.2f} ms")
    print(f"    raw         p50 {raw_paced.p50_ms:.2f} ms  p99 {raw_paced.p99_ms:.2f} ms")
    for label, ok in targets.items():
        print(f"  target {label}: {'met' if ok else 'MISSED'}")
    print(f"  how: {raw_method}")
    print(f"  {LATENCY_METHOD}")
    print(f"  results: {RESULTS} (total {report['total_seconds']}s)")
    return 1 if s.strict and not all(targets.values()) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
