"""Billing benchmark: webhook acknowledgement, usage ingestion and the time from a Stripe
webhook to the gateway enforcing it, measured on the processes ``make run`` starts.

The stack is ``python -m velox_devstack run`` in a fresh database with the loopback fake
Stripe it starts when ``STRIPE_API_KEY`` is unset (its webhooks come back through the
gateway), plus a second gateway process. The catalogue is the shipped one plus a paid
``billing:pro`` tier (feature ``billing.family``, see ``BILLING_PLANS_FILE``) and a route
policy that makes ``GET /v1/billing/plans/{family}`` need that feature, so the gateway's
answer on that route says which plan it enforces.

- Webhook acknowledgement: ``BENCH_WEBHOOKS`` distinct signed events (type
  ``customer.updated``, signed with the stack's webhook secret exactly as Stripe signs)
  sent by ``BENCH_WEBHOOK_CONCURRENCY`` concurrent workers, each on its own keep-alive
  connection (a minimal HTTP/1.1 client, as in ``bench.gateway``), to billing's port
  (direct) and through the gateway; latency is ``perf_counter`` around each call until
  the body is read. Every answer must be 200.
  Then the same events again: duplicates, acknowledged without being stored twice.
- Usage ingestion: ``BENCH_USAGE_EVENTS`` ``gateway.usage.recorded`` envelopes XADDed in
  pipelines as fast as Redis takes them, ``BENCH_USAGE_DUPLICATES`` percent of them a
  second time (same envelope id, as a redelivery would be); the figure is messages per
  second from the first XADD until billing's ``usage_totals`` (read from its schema) hold
  exactly the units of the distinct events, which also checks exactly-once.
- Webhook to enforcement: an account on ``billing:free`` checks out ``billing:pro`` through
  the gateway, the fake completes the payment; once both gateways allow the pro route, the
  subscription is ended in the fake Stripe (``DELETE /v1/subscriptions/{id}``: cancel now)
  or its payment fails (grace period 0 s in this stack); the time from that call (the fake
  sends the webhook at once) until each gateway's first 403 on the pro route, both polled in
  tight loops, ``BENCH_ENFORCEMENTS`` times per kind.

Targets (issue 4): acknowledgement p99 under 200 ms at 50 concurrent, at least 1,000 usage
events/s, enforcement at every gateway within 5 s. ``BENCH_STRICT=1`` exits 1 when one is
missed. ``DATABASE_URL`` (an admin URL) and ``REDIS_URL`` select servers; without them
embedded ones start in a temporary folder. The run removes its database, roles, processes,
its accounts' Redis keys and its processes' stream consumers; stream entries it published
stay until the streams are trimmed. Results go to ``bench/results/billing.json``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvloop
from redis.asyncio import Redis
from velox_billing.config import PLANS_FILE
from velox_devstack.cli import FAKE_STRIPE_OFFSET
from velox_devstack.database import plain_dsn
from velox_devstack.fakestripe.webhooks import signature
from velox_shared.contracts.plans import load_catalog
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import new_envelope, stream_for

from bench.common import (
    describe_servers,
    env_number,
    percentile,
    scratch_database,
    server_versions,
    servers,
    write_results,
)
from bench.gateway import (
    Process,
    RawConnection,
    Stack,
    _streams,
    clean_redis,
    second_gateway,
    stats_ms,
    velox_cli,
    write_policy,
)

RESULTS = Path(__file__).resolve().parent / "results" / "billing.json"
WEBHOOK_PATH = "/v1/billing/webhooks/stripe"
PRO_ROUTE = "/v1/billing/plans/billing"
PRO_RULE = {"method": "GET", "path": "/v1/billing/plans/{family}", "feature": "billing.family"}
USAGE_OPERATION = "bench.calls"
ENFORCE_TIMEOUT = 30.0
INGEST_TIMEOUT = 300.0
TARGET_ACK_P99_MS = 200.0
TARGET_USAGE_PER_S = 1000.0
TARGET_ENFORCE_S = 5.0


@dataclass(frozen=True)
class Settings:
    webhooks: int
    webhook_concurrency: int
    usage_events: int
    usage_duplicates_pct: int
    enforcements: int
    strict: bool

    @classmethod
    def from_env(cls) -> Settings:
        duplicates = int(os.environ.get("BENCH_USAGE_DUPLICATES", 10))
        if not 0 <= duplicates <= 100:
            raise SystemExit("BENCH_USAGE_DUPLICATES must be a percentage, 0 to 100")
        return cls(
            webhooks=env_number("BENCH_WEBHOOKS", 2000),
            webhook_concurrency=env_number("BENCH_WEBHOOK_CONCURRENCY", 50),
            usage_events=env_number("BENCH_USAGE_EVENTS", 20_000),
            usage_duplicates_pct=duplicates,
            enforcements=env_number("BENCH_ENFORCEMENTS", 3),
            strict=os.environ.get("BENCH_STRICT", "0") == "1",
        )


# --------------------------------------------------------------------------- setup


def write_plans(folder: Path) -> str:
    """The shipped catalogue plus a paid billing tier whose feature the policy asks for."""
    data: dict[str, Any] = json.loads(load_catalog(str(PLANS_FILE)).model_dump_json())
    tiers = data["families"]["billing"]["tiers"]
    tiers["free"].update(rate_per_minute=600_000, burst=50_000)  # polled in tight loops
    tiers["pro"] = {
        **tiers["free"],
        "name": "pro",
        "title": "Pro",
        "features": ["billing.manage", "billing.family"],
        "price": {"amount": 500, "currency": "USD", "interval": "month"},
    }
    path = folder / "plans.json"
    path.write_text(json.dumps(data))
    return str(path)


def component_env(home: Path, name: str) -> dict[str, str]:
    lines = (home / f"{name}.env").read_text().splitlines()
    return {k: json.loads(v) for k, _, v in (line.partition("=") for line in lines if line)}


# --------------------------------------------------------------------------- webhooks


def stripe_event(event_id: str) -> bytes:
    customer = {"id": "cus_bench", "object": "customer", "email": "bench@example.com"}
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "type": "customer.updated",
            "data": {"object": customer},
            "livemode": False,
        }
    ).encode()


@dataclass
class AckResult:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    duplicates_acknowledged: int


async def send_webhooks(
    url: str, payloads: list[bytes], secret: str, concurrency: int
) -> AckResult:
    """POST every payload signed, ``concurrency`` at a time, each worker on its own
    keep-alive connection (:class:`bench.gateway.RawConnection`: the least client CPU, which
    on a small machine the servers need); every answer must be 200."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    latencies: list[float] = []
    duplicates = 0

    async def worker() -> None:
        nonlocal duplicates
        connection = RawConnection(url)
        try:
            while not queue.empty():
                payload = queue.get_nowait()
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature(payload, secret),
                }
                start = time.perf_counter()
                status, body = await connection.request("POST", headers, payload)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    raise RuntimeError(f"webhook: {status} {body[:300]!r}")
                duplicates += bool(json.loads(body)["duplicate"])
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return AckResult(
        requests=len(latencies),
        seconds=round(elapsed, 3),
        per_second=round(len(latencies) / elapsed, 1),
        duplicates_acknowledged=duplicates,
        **stats_ms(latencies),
    )


async def webhook_acks(stack: Stack, s: Settings, suffix: str) -> dict[str, Any]:
    secret = component_env(stack.home, "billing")["STRIPE_WEBHOOK_SECRET"].split(",")[0]
    warm = [stripe_event(f"evt_bench_{suffix}_warm_{n}") for n in range(100)]
    await send_webhooks(stack.url("billing") + WEBHOOK_PATH, warm, secret, 10)
    await send_webhooks(stack.gateway + WEBHOOK_PATH, warm, secret, 10)
    out: dict[str, Any] = {}
    for name, base in (("direct", stack.url("billing")), ("gateway", stack.gateway)):
        payloads = [stripe_event(f"evt_bench_{suffix}_{name}_{n}") for n in range(s.webhooks)]
        fresh = await send_webhooks(base + WEBHOOK_PATH, payloads, secret, s.webhook_concurrency)
        again = await send_webhooks(base + WEBHOOK_PATH, payloads, secret, s.webhook_concurrency)
        out[name] = {"new": asdict(fresh), "redelivered": asdict(again)}
    out["gateway_vs_direct_p99_ms"] = round(
        out["gateway"]["new"]["p99_ms"] - out["direct"]["new"]["p99_ms"], 3
    )
    return out


# --------------------------------------------------------------------------- usage


async def usage_ingest(redis: Redis, billing_db: str, s: Settings, suffix: str) -> dict[str, Any]:
    """Publish usage events (some twice) and time billing until its totals are exact."""
    period = datetime.now(UTC).strftime("%Y-%m")
    accounts = [f"acc_bench_{suffix}_{n}" for n in range(50)]
    envelopes = [
        new_envelope(
            UsageRecorded(
                account_id=accounts[n % len(accounts)],
                principal_id="key_bench",
                operation=USAGE_OPERATION,
                units=1 + n % 3,
                period=period,
            ),
            account_id=accounts[n % len(accounts)],
        )
        for n in range(s.usage_events)
    ]
    expected = sum(e.payload["units"] for e in envelopes)
    step = max(1, round(100 / s.usage_duplicates_pct)) if s.usage_duplicates_pct else 0
    messages = list(envelopes) + (envelopes[::step] if step else [])
    messages.sort(key=lambda e: int(e.id[-6:], 16))  # redeliveries among the first copies
    stream = stream_for(UsageRecorded.event_type)
    conn = await asyncpg.connect(plain_dsn(billing_db))
    try:
        started = time.perf_counter()
        for at in range(0, len(messages), 500):
            async with redis.pipeline(transaction=False) as pipe:
                for envelope in messages[at : at + 500]:
                    pipe.xadd(stream, {"envelope": envelope.model_dump_json()})
                await pipe.execute()
        published = time.perf_counter() - started
        total = 0
        while time.perf_counter() - started < INGEST_TIMEOUT:
            total = int(
                await conn.fetchval(
                    "SELECT coalesce(sum(units), 0) FROM billing.usage_totals "
                    "WHERE account_id = ANY($1::text[]) AND operation = $2",
                    accounts,
                    USAGE_OPERATION,
                )
            )
            if total >= expected:
                break
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1.0)  # anything counted twice would show up now
        settled = int(
            await conn.fetchval(
                "SELECT coalesce(sum(units), 0) FROM billing.usage_totals "
                "WHERE account_id = ANY($1::text[]) AND operation = $2",
                accounts,
                USAGE_OPERATION,
            )
        )
    finally:
        await conn.close()
    return {
        "distinct_events": len(envelopes),
        "messages": len(messages),
        "duplicates": len(messages) - len(envelopes),
        "publish_seconds": round(published, 3),
        "seconds": round(elapsed, 3),
        "messages_per_second": round(len(messages) / elapsed, 1),
        "distinct_per_second": round(len(envelopes) / elapsed, 1),
        "expected_units": expected,
        "counted_units": settled,
        "exactly_once": settled == expected,
        "accounts": accounts,
    }


# --------------------------------------------------------------------------- enforcement


@dataclass
class Payer:
    account_id: str
    gateway: httpx.AsyncClient
    fake: httpx.AsyncClient


async def until(probe: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + ENFORCE_TIMEOUT
    while time.monotonic() < deadline:
        if await probe():
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"not within {ENFORCE_TIMEOUT} s: {what}")


async def subscribe(payer: Payer, gateways: dict[str, httpx.AsyncClient]) -> str:
    """Checkout billing:pro and pay; the subscription id once every gateway allows pro."""
    session: dict[str, Any] = {}

    async def created() -> bool:
        nonlocal session
        response = await payer.gateway.post(
            "/v1/billing/checkout-sessions", json={"plan": "billing:pro"}
        )
        if response.status_code == 409:  # plans still syncing, or the last one still ending
            return False
        if response.status_code != 201:
            raise RuntimeError(f"checkout: {response.status_code} {response.text[:300]}")
        session = response.json()
        return True

    await until(created, "checkout session")
    done = await payer.fake.post(f"/_fake/checkout/sessions/{session['id']}/complete")
    done.raise_for_status()
    for name, client in gateways.items():

        async def allowed(client: httpx.AsyncClient = client) -> bool:
            return (await client.get(PRO_ROUTE)).status_code == 200

        await until(allowed, f"pro allowed on {name}")
    listed = (await payer.gateway.get("/v1/billing/subscriptions")).json()["items"]
    return str(next(s["id"] for s in listed if s["status"] in ("active", "trialing")))


async def refusal_time(client: httpx.AsyncClient, started: float) -> float | None:
    while time.perf_counter() - started < ENFORCE_TIMEOUT:
        if (await client.get(PRO_ROUTE)).status_code == 403:
            return time.perf_counter() - started
    return None


async def enforcement(
    payer: Payer, gateways: dict[str, httpx.AsyncClient], stripe_key: str, repeats: int
) -> dict[str, Any]:
    stripe_api = {"Authorization": f"Bearer {stripe_key}"}
    out: dict[str, Any] = {}
    for kind in ("cancellation", "payment_failed"):
        seconds: dict[str, list[float | None]] = {name: [] for name in gateways}
        for _ in range(repeats):
            sub = await subscribe(payer, gateways)
            started = time.perf_counter()
            if kind == "cancellation":
                sent = await payer.fake.delete(f"/v1/subscriptions/{sub}", headers=stripe_api)
            else:
                sent = await payer.fake.post(f"/_fake/subscriptions/{sub}/fail_payment")
            sent.raise_for_status()
            found = await asyncio.gather(*(refusal_time(c, started) for c in gateways.values()))
            for name, value in zip(gateways, found, strict=True):
                seconds[name].append(value)
            if kind == "payment_failed":  # end it, so the next checkout is allowed
                ended = await payer.fake.delete(f"/v1/subscriptions/{sub}", headers=stripe_api)
                ended.raise_for_status()
        out[kind] = {
            name: {
                "seconds": [None if v is None else round(v, 3) for v in values],
                "max_s": None if None in values else round(max(v for v in values if v), 3),
                "p50_s": None
                if None in values
                else round(percentile(sorted(v for v in values if v is not None), 50), 3),
            }
            for name, values in seconds.items()
        }
    return out


# --------------------------------------------------------------------------- main


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    if os.environ.get("STRIPE_API_KEY"):
        raise SystemExit("unset STRIPE_API_KEY: the bench runs against the loopback Stripe")
    s = Settings.from_env()
    suffix = secrets.token_hex(4)
    started = time.perf_counter()
    async with servers() as srv:
        versions = await server_versions(srv.admin_url, srv.redis_url)
        redis = Redis.from_url(srv.redis_url)
        streams_before = await _streams(redis)
        pids: set[int] = set()
        ids: list[str] = []
        try:
            name, prefix = f"bench_bl_{suffix}", f"bbl{suffix}_"
            async with scratch_database(srv.admin_url, name, prefix) as db_url:
                with tempfile.TemporaryDirectory(prefix="velox-bench-billing-") as tmp:
                    home = Path(tmp)
                    stack = Stack(
                        home,
                        {
                            "DATABASE_URL": db_url,
                            "REDIS_URL": srv.redis_url,
                            "VELOX_DB_ROLE_PREFIX": prefix,
                            "BILLING_PLANS_FILE": write_plans(home),
                            "GATEWAY_ROUTE_POLICY_FILE": write_policy(home, PRO_RULE),
                            "BILLING_GRACE_PERIOD_SECONDS": "0",
                            "LOG_LEVEL": "WARNING",
                        },
                    )
                    other: Process | None = None
                    try:
                        await stack.start()
                        other, other_url = second_gateway(stack)
                        await other.start()
                        await other.wait_http(other_url + "/healthz", 60)
                        pids = stack.pids() | {other.pid}
                        setup_s = time.perf_counter() - started
                        acks = await webhook_acks(stack, s, suffix)
                        usage = await usage_ingest(redis, db_url, s, suffix)
                        ids += usage.pop("accounts")
                        made = await velox_cli(
                            stack.gateway_env(), "accounts", "create", "--email",
                            f"bench-{suffix}@bench.example.com", "--plan", "billing:free",
                        )  # fmt: skip
                        ids.append(made["account_id"])
                        key = {"X-API-Key": made["api_key"]}
                        fake_url = f"http://127.0.0.1:{stack.base + FAKE_STRIPE_OFFSET}"
                        stripe_key = component_env(home, "billing")["STRIPE_API_KEY"]
                        async with (
                            httpx.AsyncClient(base_url=stack.gateway, headers=key) as first,
                            httpx.AsyncClient(base_url=other_url, headers=key) as second,
                            httpx.AsyncClient(base_url=fake_url) as fake,
                        ):
                            gateways = {"gateway-1": first, "gateway-2": second}
                            payer = Payer(made["account_id"], first, fake)
                            enforced = await enforcement(
                                payer, gateways, stripe_key, s.enforcements
                            )
                    finally:
                        pids |= stack.pids()
                        if other is not None:
                            await other.stop()
                        await stack.stop()
        finally:
            try:
                cleaned = await clean_redis(redis, streams_before, pids, ids, [])
            finally:
                await redis.aclose()

    worst = [g["max_s"] for kind in enforced.values() for g in kind.values()]
    targets = {
        "webhook_ack_p99_under_200ms_at_50_concurrent_through_the_gateway": (
            acks["gateway"]["new"]["p99_ms"] < TARGET_ACK_P99_MS
        ),
        "usage_ingest_at_least_1000_events_per_s": (
            usage["messages_per_second"] >= TARGET_USAGE_PER_S and usage["exactly_once"]
        ),
        "enforced_on_every_gateway_within_5s": (
            None not in worst and max(w for w in worst if w is not None) < TARGET_ENFORCE_S
        ),
    }
    report: dict[str, Any] = {
        "settings": asdict(s),
        "servers": {"embedded": srv.embedded, **versions, "cpus": os.cpu_count()},
        "webhook_ack": acks,
        "usage_ingest": usage,
        "enforcement": enforced,
        "targets": targets,
        "cleanup": cleaned,
        "setup_seconds": round(setup_s, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    write_results(RESULTS, report)

    print(f"Velox billing benchmark: {describe_servers(srv, versions)}")
    print(f"  webhook acknowledgement, {s.webhooks} events at {s.webhook_concurrency} concurrent:")
    for path in ("direct", "gateway"):
        for label in ("new", "redelivered"):
            r = acks[path][label]
            print(
                f"    {path:8} {label:12} {r['per_second']:>8,.0f}/s  p50 {r['p50_ms']:.1f} ms  "
                f"p99 {r['p99_ms']:.1f} ms  max {r['max_ms']:.1f} ms"
            )
    print(f"    gateway - direct p99: {acks['gateway_vs_direct_p99_ms']:+.1f} ms")
    print(
        f"  usage ingest: {usage['messages']:,} messages ({usage['duplicates']:,} redelivered) "
        f"in {usage['seconds']:.2f} s = {usage['messages_per_second']:,.0f}/s; units "
        f"{usage['counted_units']:,} of {usage['expected_units']:,} "
        f"({'exactly once' if usage['exactly_once'] else 'NOT exactly once'})"
    )
    for kind, per_gateway in enforced.items():
        for gateway, g in per_gateway.items():
            print(
                f"  {kind.replace('_', ' ')} -> 403 on {gateway}: {g['seconds']} s "
                f"(max {g['max_s']} s)"
            )
    for label, ok in targets.items():
        print(f"  target {label}: {'met' if ok else 'MISSED'}")
    print(f"  results: {RESULTS} (setup {setup_s:.0f}s, total {report['total_seconds']}s)")
    return 1 if s.strict and not all(targets.values()) else 0


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        raise SystemExit(runner.run(main()))
