"""Gateway benchmark: the cost of going through the gateway, measured on real processes.

The stack is what ``make run`` starts (``python -m velox_devstack run``: every component
as its own uvicorn process) in a fresh database, plus a second gateway process for the
revocation test. The endpoint is billing's ``GET /v1/billing/plans``; the bench account has
a bench-only ``billing:bench`` tier (``BILLING_PLANS_FILE``, a very high rate so nothing is
throttled) and a route policy (``GATEWAY_ROUTE_POLICY_FILE``) that makes the route need the
``billing.manage`` feature, so every proxied call runs authentication (API key), the
scope check, the rate limit (GCRA, per key and per account), the entitlement check and the
proxy (identity token signed per request). Quotas are off on this route.

- Load: the same endpoint called directly (billing's port, with an identity token minted
  like the gateway's) and through the gateway (``X-API-Key``), at each concurrency of
  ``BENCH_CONCURRENCY``: N workers share a fixed number of requests after a warm-up, each
  on its own keep-alive HTTP/1.1 connection (a minimal client, :class:`RawConnection`; on
  a small machine httpx would spend more CPU per request than the endpoint and skew both
  paths; ``BENCH_CLIENT=httpx`` uses one pooled ``httpx.AsyncClient`` instead); latency is
  ``time.perf_counter()`` around each call, body read; the bench runs on uvloop. Reported:
  requests/s, p50, p99, the added p50/p99 (gateway - direct), the ratio of throughputs and
  the CPU each process (client, gateway, billing) spent per request, which tells where the
  time goes.
- Key verification: the gateway's ``KeyVerifier`` built in this process against the same
  database and Redis, ``verify()`` timed on a warm key: with its production caches (memory
  1 s, then Redis), with the Redis tier only (memory TTL 0) and cold (Redis entry deleted
  before each call: a database read).
- Rate-limit decision: the gateway's ``RateLimiter.check_many`` with the pipeline's two
  limits (per key, per account) against the real Redis, one call at a time.
- Redis round trips per proxied request: Redis ``MONITOR`` while ``BENCH_RTT_REQUESTS``
  calls go through the gateway one at a time, then over an idle period of equal length;
  commands are attributed to the gateway process by the client ports of its Redis
  connections (psutil), so other clients of a shared Redis do not count. Round trips =
  the gateway's commands in the load window minus those in the idle window, per request,
  without its stream consumer's own (``XREADGROUP``, ``XAUTOCLAIM`` ..., listed apart);
  the commands its Lua scripts run are listed apart too (not round trips).
- Revocation to refusal: a fresh key warm on both gateways, both polled in tight loops,
  ``DELETE /v1/api-keys/{id}`` sent to the first one (as the account's owner); the time
  from sending the DELETE until each gateway's first 401, ``BENCH_REVOCATIONS`` times.

Run ``python -m bench.gateway`` (or ``make bench``). Settings come from the environment:
``BENCH_CONCURRENCY`` (``1,32``), ``BENCH_REQUESTS`` (per load run; default 2000 at
concurrency 1 and 5000 above), ``BENCH_WARMUP`` (300 per load run), ``BENCH_RTT_REQUESTS``
(500), ``BENCH_REVOCATIONS`` (5), ``BENCH_MICRO`` (20000 key verifications; rate-limit
decisions and Redis-tier verifications a quarter of it, cold verifications 200),
``BENCH_LOG_LEVEL`` (``WARNING``: the stack's ``LOG_LEVEL``, so per-request access log
lines are not part of the figures; ``INFO`` puts them back), ``BENCH_CLIENT`` (``raw`` or
``httpx``), ``BENCH_PROFILE`` (a file: a third gateway process runs under cProfile and gets
the gateway load runs again; its stats go there, read them with ``python -m pstats``),
``BENCH_STRICT`` (1: exit 1 when a target is missed). ``DATABASE_URL`` (an admin URL) and
``REDIS_URL`` select servers; without them embedded ones start in a temporary folder.
Everything the run creates is removed at the end: the processes, the database and its
roles, the temporary folder, the Redis keys of the run's accounts and keys, and its
processes' stream consumers. On a shared Redis two things stay: the per-IP sign-up
throttle counter (expires within a minute) and any stream or consumer group the gateways
created because it did not exist yet (another process may be using it; listed in the
results). Results go to ``bench/results/gateway.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import random
import secrets
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import psutil
import uvloop
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from velox_billing.config import PLANS_FILE
from velox_devstack.cli import FAKE_STRIPE_OFFSET, FAKE_VPIC_OFFSET, run_env
from velox_devstack.components import COMPONENTS
from velox_devstack.embedded import free_port
from velox_devstack.supervisor import die_with_parent
from velox_gateway.apikeys.keys import hash_key
from velox_gateway.apikeys.verify import KeyVerifier
from velox_gateway.limits import RateLimiter
from velox_shared.contracts.plans import catalog_version, load_catalog
from velox_shared.db import create_engine, session_factory
from velox_shared.identity import IDENTITY_HEADER, Identity, IdentitySigner

from bench.common import (
    describe_servers,
    env_number,
    percentile,
    scratch_database,
    server_versions,
    servers,
    write_results,
)

RESULTS = Path(__file__).resolve().parent / "results" / "gateway.json"
PATH = "/v1/billing/plans"
FAMILY = "billing"
TIER = "bench"
FEATURE = "billing.manage"
RATE_PER_MINUTE = 6_000_000  # 100 000/s: the bench measures the limiter, never hits it
BURST = 100_000
KEY_CACHE_PREFIX = "velox:gw:apikey:"  # velox_gateway.apikeys.verify
PLANS_CACHE_PREFIX = "velox:gw:plans:"  # velox_gateway.accounts.plans
STACK_TIMEOUT = 180.0
REFUSAL_TIMEOUT = 5.0
LOAD_TIMEOUT = 300.0
# Commands a gateway sends whether or not it serves requests (its stream consumer).
BACKGROUND_COMMANDS = frozenset({"XREADGROUP", "XAUTOCLAIM", "XACK", "XGROUP", "XINFO", "PING"})
KONG_REFERENCE = "Kong key-auth plus rate limiting adds about 2 ms at p99 (issue's reference)"


@dataclass(frozen=True)
class Settings:
    concurrency: tuple[int, ...]
    requests: int | None
    warmup: int
    rtt_requests: int
    revocations: int
    micro: int
    log_level: str
    client: str
    strict: bool
    profile: str | None

    @classmethod
    def from_env(cls) -> Settings:
        levels = os.environ.get("BENCH_CONCURRENCY", "1,32")
        concurrency = tuple(sorted({int(c) for c in levels.split(",") if c.strip()}))
        if not concurrency or concurrency[0] < 1:
            raise SystemExit("BENCH_CONCURRENCY must list positive integers, e.g. 1,32")
        requests = os.environ.get("BENCH_REQUESTS")
        client = os.environ.get("BENCH_CLIENT", "raw")
        profile = os.environ.get("BENCH_PROFILE")
        if client not in ("raw", "httpx"):
            raise SystemExit("BENCH_CLIENT must be raw or httpx")
        return cls(
            concurrency=concurrency,
            requests=env_number("BENCH_REQUESTS", 1) if requests else None,
            warmup=env_number("BENCH_WARMUP", 300),
            rtt_requests=env_number("BENCH_RTT_REQUESTS", 500),
            revocations=env_number("BENCH_REVOCATIONS", 5),
            micro=env_number("BENCH_MICRO", 20_000),
            log_level=os.environ.get("BENCH_LOG_LEVEL", "WARNING").upper(),
            client=client,
            strict=os.environ.get("BENCH_STRICT", "0") == "1",
            profile=str(Path(profile).resolve()) if profile else None,
        )

    def requests_at(self, concurrency: int) -> int:
        if self.requests is not None:
            return self.requests
        return 2_000 if concurrency == 1 else 5_000


# --------------------------------------------------------------------------- measuring


def stats_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p99, max and mean in milliseconds of unsorted durations in seconds."""
    values = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(percentile(values, 50), 3),
        "p99_ms": round(percentile(values, 99), 3),
        "max_ms": round(values[-1], 3) if values else float("nan"),
        "mean_ms": round(sum(values) / len(values), 3) if values else float("nan"),
    }


class CpuMeter:
    """CPU seconds (user + system) of named processes, and of everything else, between
    snapshots: ``other`` is the machine's busy time minus the named processes' (Redis,
    PostgreSQL, the stack's other processes, and whatever else runs on the machine);
    ``steal`` is time a virtual machine's CPUs were taken by the hypervisor."""

    def __init__(self, processes: dict[str, psutil.Process]) -> None:
        self.processes = processes

    def snapshot(self) -> dict[str, float]:
        out = {}
        for name, process in self.processes.items():
            times = process.cpu_times()
            out[name] = times.user + times.system
        machine = psutil.cpu_times()
        busy = sum(getattr(machine, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq"))
        out["other"] = busy - sum(out.values())
        out["steal"] = getattr(machine, "steal", 0.0)  # taken by the hypervisor
        return out


@dataclass
class LoadResult:
    path: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    cpu_ms_per_request: dict[str, float]
    cpu_busy: dict[str, float]


Get = Callable[[dict[str, str]], Awaitable[tuple[int, bytes]]]


class RawConnection:
    """One keep-alive HTTP/1.1 connection: the least client work per request.

    httpx costs more CPU per request than the endpoint under test here (and more again
    with many connections in one pool), which on a small machine takes CPU from the
    servers being measured; this client parses only the status line, ``Content-Length``,
    ``Transfer-Encoding: chunked`` and ``Connection: close``.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, headers: dict[str, str]) -> tuple[int, bytes]:
        return await self.request("GET", headers)

    async def request(
        self, method: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        lines = [f"{method} {self.target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *fields = head[:-4].split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in fields:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value
            elif name == b"connection":
                close = b"close" in value
        if chunked:
            body = await self._read_chunked(self._reader)
        elif length is not None:
            body = await self._reader.readexactly(length)
        else:
            body, close = await self._reader.read(), True
        if close:
            await self.close()
        return status, body

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            parts.append((await reader.readexactly(size + 2))[:-2])

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def load_clients(kind: str, url: str, concurrency: int) -> AsyncIterator[list[Get]]:
    """One ``get`` per worker: raw connections, or one shared pooled httpx client."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(10.0)) as client:

            async def get(headers: dict[str, str]) -> tuple[int, bytes]:
                response = await client.get(url, headers=headers)
                return response.status_code, response.content

            yield [get] * concurrency
        return
    connections = [RawConnection(url) for _ in range(concurrency)]
    try:
        yield [c.get for c in connections]
    finally:
        for connection in connections:
            await connection.close()


async def _drive(
    gets: list[Get], headers: Callable[[], dict[str, str]], requests: int
) -> tuple[list[float], Counter[int], bytes]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    sample = b""
    numbers = iter(range(requests))

    async def worker(get: Get) -> None:
        nonlocal sample
        for _ in numbers:
            started = time.perf_counter()
            status, body = await get(headers())
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if status != 200 and not sample:
                sample = body[:300]

    await asyncio.wait_for(asyncio.gather(*(worker(get) for get in gets)), LOAD_TIMEOUT)
    return latencies, statuses, sample


async def run_load(
    path: str,
    url: str,
    headers: Callable[[], dict[str, str]],
    requests: int,
    concurrency: int,
    s: Settings,
    meter: CpuMeter,
) -> LoadResult:
    async with load_clients(s.client, url, concurrency) as gets:
        await _drive(gets, headers, max(s.warmup, concurrency))
        gc.collect()
        cpu_before = meter.snapshot()
        started = time.perf_counter()
        latencies, statuses, sample = await _drive(gets, headers, requests)
        seconds = time.perf_counter() - started
        cpu_after = meter.snapshot()
    if set(statuses) != {200}:
        raise RuntimeError(f"{path} at concurrency {concurrency}: {dict(statuses)}; {sample!r}")
    cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
    return LoadResult(
        path=path,
        concurrency=concurrency,
        requests=requests,
        seconds=round(seconds, 3),
        rps=round(requests / seconds, 1),
        **stats_ms(latencies),
        cpu_ms_per_request={k: round(v * 1000 / requests, 3) for k, v in cpu.items()},
        cpu_busy={k: round(v / seconds, 2) for k, v in cpu.items()},
    )


# --------------------------------------------------------------------------- the stack


def free_port_base(count: int = len(COMPONENTS)) -> int:
    """A base port whose next ``count`` ports, and the fake Stripe's and vPIC's, are all
    free; below the ephemeral range, where outgoing connections could take one first."""
    for _ in range(100):
        base = random.randint(20_000, 32_000)
        ports = [base + i for i in range(count)] + [
            base + FAKE_STRIPE_OFFSET,
            base + FAKE_VPIC_OFFSET,
        ]
        if all(_port_free(port) for port in ports):
            return base
    raise RuntimeError("no free port range")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _open_log(path: Path) -> IO[bytes]:
    return path.open("ab")


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Database:
    admin_url: str
    role_prefix: str


@contextlib.asynccontextmanager
async def database(server_admin_url: str, suffix: str) -> AsyncIterator[Database]:
    """A fresh, empty database (the stack migrates it); dropped with its roles after."""
    name, prefix = f"bench_gw_{suffix}", f"bgw{suffix}_"
    async with scratch_database(server_admin_url, name, prefix) as url:
        yield Database(url, prefix)


class Process:
    """A child process whose output goes to a log file; killed with the bench."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        out = _open_log(self.log)
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        finally:
            out.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def wait_http(self, url: str, timeout: float) -> None:
        """Until ``url`` answers 200 (the process must stay up meanwhile)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=3.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"{self.name} exited:\n{_tail(self.log)}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready in {timeout:.0f}s:\n{_tail(self.log)}")

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        children = _children(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()


def _children(pid: int) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []


class Stack:
    """``python -m velox_devstack run`` (what ``make run`` runs) on a free port range."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.base = free_port_base()
        self.env = run_env(home, self.base, env)
        argv = [sys.executable, "-m", "velox_devstack", "run"]
        self.process = Process("devstack", argv, self.env, home / "stack.log")

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    def url(self, component: str) -> str:
        offset = next(c.offset for c in COMPONENTS if c.name == component)
        return f"http://127.0.0.1:{self.base + offset}"

    async def start(self) -> None:
        await self.process.start()
        await self.process.wait_http(self.gateway + "/readyz", STACK_TIMEOUT)
        plans = self.env.get("BILLING_PLANS_FILE")
        if plans:
            await self.wait_catalog(plans)

    async def wait_catalog(self, plans_file: str) -> None:
        """Until billing's catalogue from ``plans_file`` is what the gateways enforce (another
        stack on the same Redis may have left its own behind)."""
        expected = catalog_version(load_catalog(plans_file))
        redis = Redis.from_url(self.env["REDIS_URL"])
        try:
            for _ in range(int(STACK_TIMEOUT * 5)):
                raw = await redis.get("velox:gw:catalog:version")
                if (raw.decode() if isinstance(raw, bytes) else raw) == expected:
                    break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("billing's catalogue never reached the gateway")
        finally:
            await redis.aclose()
        await asyncio.sleep(1.5)  # each gateway process checks the version every second

    def gateway_env(self) -> dict[str, str]:
        """The environment of the stack's gateway (``gateway.env``) over the stack's own."""
        lines = (self.home / "gateway.env").read_text().splitlines()
        env = {k: json.loads(v) for k, _, v in (line.partition("=") for line in lines if line)}
        return {**self.env, **env}

    def component_process(self, component: str) -> psutil.Process:
        package = next(c.package for c in COMPONENTS if c.name == component)
        for child in _children(self.process.pid):
            with contextlib.suppress(psutil.Error):
                if f"{package}.app:create_app" in " ".join(child.cmdline()):
                    return child
        raise RuntimeError(f"no {component} process under the stack")

    def pids(self) -> set[int]:
        return {c.pid for c in _children(self.process.pid)}

    async def stop(self) -> None:
        await self.process.stop(signal.SIGINT)


def second_gateway(stack: Stack) -> tuple[Process, str]:
    """Another gateway process on the same database and Redis."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "velox_gateway.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    process = Process("gateway-2", argv, stack.gateway_env(), stack.home / "gateway-2.log")
    return process, f"http://127.0.0.1:{port}"


async def velox_cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    """The operator console (``velox``) against the stack."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "velox_gateway.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"velox {' '.join(args)} failed: {err.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


def write_plans(folder: Path) -> str:
    """The shipped catalogue plus the bench tier of the billing family."""
    data: dict[str, Any] = json.loads(load_catalog(str(PLANS_FILE)).model_dump_json())
    data["families"][FAMILY]["tiers"][TIER] = {
        "name": TIER,
        "price": {"amount": 0, "currency": "USD", "interval": "month"},
        "rate_per_minute": RATE_PER_MINUTE,
        "burst": BURST,
        "features": [FEATURE],
        "quotas": {},
    }
    path = folder / "plans.json"
    path.write_text(json.dumps(data))
    return str(path)


def write_policy(folder: Path, rule: dict[str, str] | None = None) -> str:
    """The shipped route policy plus ``rule`` first (by default an entitlement rule for the
    bench endpoint)."""
    shipped = resources.files("velox_gateway.access").joinpath("policy.json").read_text()
    first = rule or {"method": "GET", "path": PATH, "feature": FEATURE}
    rules = [first, *json.loads(shipped)["rules"]]
    path = folder / "policy.json"
    path.write_text(json.dumps({"rules": rules}))
    return str(path)


@dataclass
class Tenant:
    account_id: str
    user_token: str
    key: str = ""
    key_id: str = ""
    spare: list[tuple[str, str]] = field(default_factory=list)  # (id, secret), for revoking
    keys: list[tuple[str, str]] = field(default_factory=list)  # every key made

    def owner(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user_token}"}


async def new_keys(client: httpx.AsyncClient, tenant: Tenant, names: list[str]) -> None:
    """Create API keys and wait until they are committed.

    ``POST /v1/api-keys`` answers before its transaction commits (the session dependency
    commits after the response is sent), and a key used in that gap is cached as unknown
    for a minute; so the bench uses a key only once ``GET /v1/api-keys`` lists it.
    """
    made = []
    for name in names:
        response = await client.post("/v1/api-keys", json={"name": name}, headers=tenant.owner())
        if response.status_code != 201:
            raise RuntimeError(f"creating an API key: {response.status_code} {response.text[:300]}")
        made.append((response.json()["id"], response.json()["key"]))
    deadline = time.monotonic() + 10.0
    while True:
        listing = await client.get("/v1/api-keys", params={"limit": 200}, headers=tenant.owner())
        listing.raise_for_status()
        listed = {item["id"] for item in listing.json()["items"]}
        if all(key_id in listed for key_id, _ in made):
            break
        if time.monotonic() > deadline:
            raise RuntimeError("created API keys were not committed within 10 s")
        await asyncio.sleep(0.05)
    tenant.keys += made
    tenant.spare += made


async def make_tenant(stack: Stack, suffix: str, spare_keys: int) -> Tenant:
    """Sign up (an owner and an account), give it the bench tier, make its keys."""
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30.0) as client:
        signup = await client.post(
            "/v1/auth/signup",
            json={
                "email": f"bench-{suffix}@bench.example.com",
                "password": secrets.token_urlsafe(18),
                "account_name": f"bench-{suffix}",
            },
        )
        if signup.status_code != 201:
            raise RuntimeError(f"sign-up: {signup.status_code} {signup.text[:300]}")
        body = signup.json()
        await velox_cli(
            stack.gateway_env(), "accounts", "set-plan", body["account_id"], "--plan",
            f"{FAMILY}:{TIER}",
        )  # fmt: skip
        tenant = Tenant(body["account_id"], body["access_token"])
        names = ["bench-load", *(f"bench-revoke-{n}" for n in range(spare_keys))]
        await new_keys(client, tenant, names)
        tenant.key_id, tenant.key = tenant.spare.pop(0)
        check = await client.get(PATH, headers={"X-API-Key": tenant.key})
    if check.status_code != 200 or check.headers.get("ratelimit-limit") != str(RATE_PER_MINUTE):
        raise RuntimeError(
            f"the bench tier is not in force: {check.status_code} "
            f"RateLimit-Limit={check.headers.get('ratelimit-limit')} {check.text[:300]}"
        )
    return tenant


# --------------------------------------------------------------------------- in-process


def hot_redis(url: str) -> tuple[Redis, BlockingConnectionPool]:
    """A Redis client configured like the gateway's hot-path client (context_factory)."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=512,
        timeout=0.5,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
    )
    return Redis(connection_pool=pool, retry=Retry(NoBackoff(), 1)), pool


async def _timed(
    calls: int, call: Callable[[], Any], before: Callable[[], Any] | None = None
) -> list[float]:
    latencies = []
    for _ in range(calls):
        if before is not None:
            await before()
        started = time.perf_counter()
        await call()
        latencies.append(time.perf_counter() - started)
    return latencies


async def key_verification(
    gateway_env: dict[str, str], redis_url: str, key: str, calls: int
) -> dict[str, Any]:
    """``KeyVerifier.verify`` timed: production caches, Redis tier only, and cold."""
    pepper = gateway_env["VELOX_API_KEY_PEPPER"]
    engine = create_engine(gateway_env["DATABASE_URL"], schema="gateway", pool_size=2)
    sessions = session_factory(engine)
    redis, pool = hot_redis(redis_url)
    cache_key = KEY_CACHE_PREFIX + hash_key(key, pepper)
    verifiers = [
        KeyVerifier(redis, sessions, pepper),
        KeyVerifier(redis, sessions, pepper, memory_ttl=0.0),
    ]
    try:
        production, redis_only = verifiers
        for verifier in verifiers:
            for _ in range(200):
                await verifier.verify(key)
        gc.collect()
        warm = await _timed(calls, lambda: production.verify(key))
        tier = await _timed(max(500, calls // 4), lambda: redis_only.verify(key))
        cold = await _timed(200, lambda: redis_only.verify(key), lambda: redis.delete(cache_key))
        for verifier in verifiers:  # the last_used_at writes it started
            await asyncio.gather(*list(verifier._tasks), return_exceptions=True)
    finally:
        await redis.aclose()
        await pool.aclose()
        await engine.dispose()
    return {
        "warm_production_caches": {"calls": len(warm), **stats_ms(warm)},
        "warm_redis_tier": {"calls": len(tier), **stats_ms(tier)},
        "cold_database": {"calls": len(cold), **stats_ms(cold)},
    }


async def rate_limit_decisions(redis_url: str, suffix: str, calls: int) -> dict[str, Any]:
    """``RateLimiter.check_many`` with the pipeline's two limits, one call at a time."""
    redis, pool = hot_redis(redis_url)
    prefix = f"velox:bench{suffix}:rl"
    limiter = RateLimiter(redis, prefix=prefix)
    rules = [
        (f"{FAMILY}:p:key_bench{suffix}", RATE_PER_MINUTE, BURST),
        (f"{FAMILY}:a:acc_bench{suffix}", RATE_PER_MINUTE, BURST),
    ]
    degraded = denied = 0

    async def decide() -> None:
        nonlocal degraded, denied
        decision = await limiter.check_many(rules)
        degraded += decision.degraded
        denied += not decision.allowed

    try:
        for _ in range(200):
            await decide()
        degraded = denied = 0
        gc.collect()
        latencies = await _timed(calls, decide)
    finally:
        with contextlib.suppress(Exception):
            await redis.delete(*(f"{prefix}:{key}" for key, _, _ in rules))
        await redis.aclose()
        await pool.aclose()
    return {"calls": calls, "degraded": degraded, "denied": denied, **stats_ms(latencies)}


async def profile_gateway(
    s: Settings, stack: Stack, tenant: Tenant, path: str, pids: set[int]
) -> dict[str, Any]:
    """A third gateway process under cProfile, loaded like the first; stats to ``path``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "cProfile", "-o", path, "-m", "uvicorn"]
    argv += ["velox_gateway.app:create_app", "--factory", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log"]
    log = stack.home / "gateway-profiled.log"
    process = Process("gateway-profiled", argv, stack.gateway_env(), log)
    await process.start()
    pids.add(process.pid)
    runs = []
    try:
        await process.wait_http(url + "/healthz", 60)
        meter = CpuMeter(
            {
                "client": psutil.Process(),
                "gateway": psutil.Process(process.pid),
                "billing": stack.component_process(FAMILY),
            }
        )
        headers = {"X-API-Key": tenant.key}
        for c in s.concurrency:
            run = await run_load(
                "gateway (profiled)", url + PATH, lambda: headers, s.requests_at(c), c, s, meter
            )
            runs.append(asdict(run))
    finally:
        await process.stop(signal.SIGINT)
    return {"file": path, "runs": runs}


# --------------------------------------------------------------------------- Redis round trips


def redis_client_ports(process: psutil.Process, redis_url: str) -> set[str]:
    """The local ports of ``process``'s TCP connections to the Redis of ``redis_url``."""
    redis_port = urlsplit(redis_url).port or 6379
    return {
        str(c.laddr.port)
        for c in process.net_connections(kind="tcp")
        if c.raddr and c.raddr.port == redis_port
    }


async def redis_round_trips(
    redis_url: str, gateway: psutil.Process, url: str, key: str, requests: int
) -> dict[str, Any]:
    """MONITOR over ``requests`` sequential proxied calls, then over as long an idle time."""
    ports = redis_client_ports(gateway, redis_url)
    records: list[tuple[float, str, str, str]] = []
    client = Redis.from_url(redis_url)
    ready = asyncio.Event()

    async def monitor() -> None:
        async with client.monitor() as feed:
            ready.set()
            while True:
                info = await feed.next_command()
                name = info["command"].split(" ", 1)[0].upper()
                records.append((info["time"], info["client_type"], info["client_port"], name))

    task = asyncio.create_task(monitor())
    try:
        await asyncio.wait_for(ready.wait(), 10)
        await asyncio.sleep(0.3)
        headers = {"X-API-Key": key}
        async with httpx.AsyncClient(timeout=10.0) as http:
            for _ in range(20):  # the key and plan are in the gateway's memory
                (await http.get(url, headers=headers)).raise_for_status()
            load_from = time.time()
            for _ in range(requests):
                (await http.get(url, headers=headers)).raise_for_status()
            load_to = time.time()
        await asyncio.sleep(load_to - load_from)
        idle_to = time.time()
        await asyncio.sleep(0.3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
    ports |= redis_client_ports(gateway, redis_url)

    # MONITOR lists a script's commands (client "lua") right after the EVAL/EVALSHA that
    # ran them, in the server's order: each belongs to the last client command before it.
    windows: dict[str, dict[str, Counter[str]]] = {
        w: {"gateway": Counter(), "gateway-lua": Counter(), "other": Counter()}
        for w in ("load", "idle")
    }
    hot_path: list[str] = []
    caller = "other"
    for at, client_type, port, name in records:
        if client_type == "lua":
            source = "gateway-lua" if caller == "gateway" else "other"
        else:
            source = caller = "gateway" if client_type == "tcp" and port in ports else "other"
        window = "load" if load_from <= at < load_to else "idle" if load_to <= at < idle_to else ""
        if not window:
            continue
        windows[window][source][name] += 1
        if window == "load" and source == "gateway" and name not in BACKGROUND_COMMANDS:
            hot_path.append(name)

    # At concurrency 1 a request's commands end with its one rate-limit script call.
    per_request: Counter[int] = Counter()
    pending = 0
    for name in hot_path:
        pending += 1
        if name in ("EVALSHA", "EVAL"):
            per_request[pending] += 1
            pending = 0

    def net(source: str, background: bool) -> dict[str, float]:
        load, idle = windows["load"][source], windows["idle"][source]
        names = {n for n in set(load) | set(idle) if (n in BACKGROUND_COMMANDS) == background}
        return {
            name: round((load[name] - idle[name]) / requests, 4)
            for name in sorted(names)
            if load[name] != idle[name]
        }

    hot = net("gateway", background=False)
    return {
        "requests": requests,
        "seconds": round(load_to - load_from, 3),
        "round_trips_per_request": round(sum(hot.values()), 4),
        "gateway_commands_per_request": hot,
        "background_commands_per_request": net("gateway", background=True),
        "inside_scripts_per_request": net("gateway-lua", background=False),
        "round_trips_histogram": {str(k): v for k, v in sorted(per_request.items())},
        "gateway_commands_load_window": dict(windows["load"]["gateway"]),
        "gateway_commands_idle_window": dict(windows["idle"]["gateway"]),
        "other_clients_load_window": sum(windows["load"]["other"].values()),
        "other_clients_idle_window": sum(windows["idle"]["other"].values()),
        "gateway_redis_connections": len(ports),
    }


# --------------------------------------------------------------------------- revocation


@dataclass
class Poll:
    refused_at: float | None = None
    last_ok_started: float | None = None
    requests: int = 0
    unexpected: Counter[int] = field(default_factory=Counter)


async def _poll(client: httpx.AsyncClient, url: str, key: str, stop_at: float, poll: Poll) -> None:
    headers = {"X-API-Key": key}
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        poll.requests += 1
        if response.status_code == 401:
            poll.refused_at = time.perf_counter()
            return
        if response.status_code == 200:
            poll.last_ok_started = started
        else:
            poll.unexpected[response.status_code] += 1


async def revocation(tenant: Tenant, gateways: dict[str, str], repeats: int) -> dict[str, Any]:
    """Revoke a warm key through the first gateway; time each gateway's first 401."""
    first = next(iter(gateways.values()))
    runs: list[dict[str, Any]] = []
    async with contextlib.AsyncExitStack() as stack:
        admin = await stack.enter_async_context(httpx.AsyncClient(base_url=first, timeout=10.0))
        clients = {
            name: await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
            for name in gateways
        }
        for _ in range(repeats):
            key_id, key = tenant.spare.pop(0)
            for name, base in gateways.items():
                response = await clients[name].get(base + PATH, headers={"X-API-Key": key})
                if response.status_code != 200:
                    raise RuntimeError(f"warming {name}: {response.status_code} {response.text}")
            polls = {name: Poll() for name in gateways}
            stop_at = time.perf_counter() + 30.0
            pollers = [
                asyncio.create_task(_poll(clients[n], gateways[n] + PATH, key, stop_at, polls[n]))
                for n in gateways
            ]
            try:
                # A random phase against the gateways' one-second key cache.
                await asyncio.sleep(random.uniform(0.2, 1.2))
                sent = time.perf_counter()
                deleted = await admin.delete(f"/v1/api-keys/{key_id}", headers=tenant.owner())
                returned = time.perf_counter()
                if deleted.status_code != 204:
                    raise RuntimeError(f"revoking: {deleted.status_code} {deleted.text[:300]}")
                await asyncio.wait(pollers, timeout=REFUSAL_TIMEOUT)
            finally:
                for task in pollers:
                    task.cancel()
                await asyncio.gather(*pollers, return_exceptions=True)
            run: dict[str, Any] = {"delete_ms": round((returned - sent) * 1000, 2)}
            for name, poll in polls.items():
                run[name] = {
                    "refused_after_ms": (
                        round((poll.refused_at - sent) * 1000, 2) if poll.refused_at else None
                    ),
                    "accepted_after_delete_returned_ms": round(
                        max(0.0, (poll.last_ok_started or 0.0) - returned) * 1000, 2
                    ),
                    "polls": poll.requests,
                    "unexpected": dict(poll.unexpected),
                }
            runs.append(run)
    summary: dict[str, Any] = {}
    for name in gateways:
        times = [r[name]["refused_after_ms"] for r in runs]
        known = sorted(t for t in times if t is not None)
        summary[name] = {
            "p50_ms": round(percentile(known, 50), 2) if known else None,
            "max_ms": known[-1] if known and len(known) == len(times) else None,
            "not_refused_within_s": (REFUSAL_TIMEOUT if len(known) < len(times) else None),
        }
    return {"repeats": repeats, "per_gateway": summary, "runs": runs}


# --------------------------------------------------------------------------- Redis cleanup


Streams = dict[str, dict[str, set[str]]]  # stream -> group -> consumer names


async def _streams(redis: Redis) -> Streams:
    """Every ``velox:events:*`` stream, its consumer groups and their consumers."""
    found: Streams = {}
    async for raw in redis.scan_iter(match="velox:events:*", count=1000, _type="stream"):
        stream = _text(raw)
        found[stream] = {}
        groups: Any = await redis.xinfo_groups(stream)
        for group in groups:
            name = _text(group["name"])
            consumers: Any = await redis.xinfo_consumers(stream, name)
            found[stream][name] = {_text(c["name"]) for c in consumers}
    return found


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def clean_redis(
    redis: Redis, before: Streams, pids: set[int], ids: list[str], keys: list[str]
) -> dict[str, Any]:
    """Drop what the run left in Redis: its ids' keys and its processes' stream consumers.

    Groups and streams its processes created stay (reported): on a shared Redis another
    process may be reading them, and a blocked ``XREADGROUP`` leaves no consumer to tell.
    So does a consumer with pending entries (another process's events it could not
    handle): deleting it would drop them, while the group reclaims them after 30 s.
    """
    removed: dict[str, Any] = {"keys": 0, "consumers": [], "left_in_place": []}
    names = set(keys)
    for ident in ids:
        async for raw in redis.scan_iter(match=f"*{ident}*", count=1000):
            names.add(_text(raw))
    if names:
        removed["keys"] = int(await redis.delete(*names))
    host = socket.gethostname()
    ours = {f"{c.name}-{host}-{pid}" for c in COMPONENTS for pid in pids}
    for stream, groups in (await _streams(redis)).items():
        if stream not in before:
            removed["left_in_place"].append(f"stream {stream}")
        for group, consumers in groups.items():
            existed = before.get(stream, {}).get(group)
            if existed is None and stream in before:
                removed["left_in_place"].append(f"group {group} of {stream}")
            new = (consumers - (existed or set())) & ours
            if not new:
                continue
            # A consumer's pending entries go with it: those stay for the group to reclaim.
            pending: Any = await redis.xinfo_consumers(stream, group)
            for info in pending:
                name = _text(info["name"])
                if name not in new:
                    continue
                if int(info["pending"]):
                    removed["left_in_place"].append(f"consumer {name} with pending entries")
                else:
                    await redis.xgroup_delconsumer(stream, group, name)
                    removed["consumers"].append(f"{name} ({stream}, {group})")
    return removed


# --------------------------------------------------------------------------- reporting


def _fmt(result: LoadResult) -> str:
    return (
        f"{result.rps:>8,.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
        f"({result.requests:,} in {result.seconds:.1f}s; CPU ms/request "
        + " ".join(f"{k} {v:.2f}" for k, v in result.cpu_ms_per_request.items())
        + ")"
    )


def compare(direct: LoadResult, gateway: LoadResult) -> dict[str, float]:
    return {
        "added_p50_ms": round(gateway.p50_ms - direct.p50_ms, 3),
        "added_p99_ms": round(gateway.p99_ms - direct.p99_ms, 3),
        "throughput_ratio": round(gateway.rps / direct.rps, 3),
        "latency_ratio_p50": round(gateway.p50_ms / direct.p50_ms, 2),
    }


async def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    s = Settings.from_env()
    suffix = secrets.token_hex(4)
    started = time.perf_counter()
    async with servers() as srv:
        versions = await server_versions(srv.admin_url, srv.redis_url)
        redis = Redis.from_url(srv.redis_url)
        streams_before = await _streams(redis)
        stack_pids: set[int] = set()
        ids: list[str] = []
        cache_keys: list[str] = []
        try:
            async with database(srv.admin_url, suffix) as db:
                with tempfile.TemporaryDirectory(prefix="velox-bench-gw-") as tmp:
                    home = Path(tmp)
                    stack = Stack(
                        home,
                        {
                            "DATABASE_URL": db.admin_url,
                            "REDIS_URL": srv.redis_url,
                            "VELOX_DB_ROLE_PREFIX": db.role_prefix,
                            "BILLING_PLANS_FILE": write_plans(home),
                            "GATEWAY_ROUTE_POLICY_FILE": write_policy(home),
                            "LOG_LEVEL": s.log_level,
                        },
                    )
                    other: Process | None = None
                    tenant: Tenant | None = None
                    try:
                        await stack.start()
                        other, other_url = second_gateway(stack)
                        await other.start()
                        await other.wait_http(other_url + "/healthz", 60)
                        stack_pids = stack.pids() | {other.pid}
                        tenant = await make_tenant(stack, suffix, s.revocations)
                        setup_s = time.perf_counter() - started
                        results = await measure(
                            s, stack, other_url, tenant, srv.redis_url, suffix, stack_pids
                        )
                    finally:
                        stack_pids |= stack.pids()
                        if other is not None:
                            await other.stop()
                        await stack.stop()
                        if tenant is not None:
                            pepper = stack.gateway_env()["VELOX_API_KEY_PEPPER"]
                            ids = [tenant.account_id, *(k for k, _ in tenant.keys)]
                            cache_keys = [
                                PLANS_CACHE_PREFIX + tenant.account_id,
                                *(KEY_CACHE_PREFIX + hash_key(k, pepper) for _, k in tenant.keys),
                            ]
        finally:
            try:
                cleaned = await clean_redis(redis, streams_before, stack_pids, ids, cache_keys)
            finally:
                await redis.aclose()

    loads: dict[int, dict[str, LoadResult]] = results["load"]
    low, high = min(loads), max(loads)
    comparisons = {c: compare(v["direct"], v["gateway"]) for c, v in loads.items()}
    keys_stats = results["key_verification"]
    rate_stats = results["rate_limit"]
    rtt = results["redis"]
    revoked = results["revocation"]
    refusal_max = [g["max_ms"] for g in revoked["per_gateway"].values()]
    worst_refusal = None if None in refusal_max else max(refusal_max)
    targets = {
        f"added_p50_under_1.5ms_at_concurrency_{low}": comparisons[low]["added_p50_ms"] < 1.5,
        f"gateway_throughput_at_least_60pct_of_direct_at_concurrency_{high}": (
            comparisons[high]["throughput_ratio"] >= 0.6
        ),
        "key_verification_p99_under_1ms_warm": (
            keys_stats["warm_redis_tier"]["p99_ms"] < 1.0
            and keys_stats["warm_production_caches"]["p99_ms"] < 1.0
        ),
        "rate_limit_decision_p99_under_1ms": rate_stats["p99_ms"] < 1.0
        and rate_stats["degraded"] == 0,
        "redis_round_trips_per_request_at_most_2": rtt["round_trips_per_request"] <= 2.0,
        "revocation_refused_on_every_gateway_under_1s": (
            worst_refusal is not None and worst_refusal < 1000.0
        ),
    }
    report: dict[str, Any] = {
        "settings": asdict(s),
        "servers": {"embedded": srv.embedded, **versions, "cpus": os.cpu_count()},
        "method": {
            "stack": (
                "python -m velox_devstack run (every component one uvicorn process, uvloop + "
                f"httptools) in a fresh database, LOG_LEVEL={s.log_level}, plus a second "
                "gateway process for revocation"
            ),
            "endpoint": (
                f"GET {PATH} on billing; plan {FAMILY}:{TIER} ({RATE_PER_MINUTE}/min, burst "
                f"{BURST}); route policy requires feature {FEATURE}; no quota"
            ),
            "gateway_path": (
                "X-API-Key -> key verification (memory 1 s, Redis 60 s, database) -> scope -> "
                "plan (memory 2 s, Redis, database) -> GCRA rate limit (one EVALSHA, key and "
                "account) -> entitlement -> identity token signed -> streamed proxy to billing"
            ),
            "direct_path": (
                f"billing's port with {IDENTITY_HEADER} minted with the stack's signing key "
                "(re-minted every 30 s)"
            ),
            "load": (
                "one pooled keep-alive httpx.AsyncClient on uvloop in the bench process, N "
                "workers sharing the requests, after a warm-up; perf_counter around each call "
                "(body read); CPU per request from psutil (user + system) of each process"
            ),
            "redis_round_trips": (
                "MONITOR; commands attributed to the gateway process by its Redis connections' "
                "client ports; load window minus an equally long idle window, per request; "
                "histogram: the gateway's hot-path commands per request (each ends with its "
                "rate-limit EVALSHA)"
            ),
            "revocation": (
                "time from sending DELETE /v1/api-keys/{id} (to the first gateway) until the "
                "end of each gateway's first 401, both polled in tight loops with the key; "
                "random 0.2-1.2 s delay before the DELETE"
            ),
        },
        "load": {
            str(c): {
                "direct": asdict(v["direct"]),
                "gateway": asdict(v["gateway"]),
                "gateway_vs_direct": comparisons[c],
            }
            for c, v in loads.items()
        },
        "key_verification": keys_stats,
        "rate_limit_decision": rate_stats,
        "redis": rtt,
        "revocation": revoked,
        "reference": KONG_REFERENCE,
        "targets": targets,
        "profile": results["profile"],
        "cleanup": cleaned,
        "setup_seconds": round(setup_s, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    write_results(RESULTS, report)

    print(f"Velox gateway benchmark: GET {PATH}, {describe_servers(srv, versions)}")
    for c, pair in loads.items():
        cmp = comparisons[c]
        print(f"  concurrency {c}:")
        print(f"    direct   {_fmt(pair['direct'])}")
        print(f"    gateway  {_fmt(pair['gateway'])}")
        print(
            f"    gateway - direct: p50 +{cmp['added_p50_ms']:.2f} ms, "
            f"p99 +{cmp['added_p99_ms']:.2f} ms; throughput {cmp['throughput_ratio']:.0%} "
            "of direct"
        )
    print(f"  ({KONG_REFERENCE})")
    for label, stat in keys_stats.items():
        print(
            f"  key verification, {label.replace('_', ' ')}: p50 {stat['p50_ms']:.3f} ms  "
            f"p99 {stat['p99_ms']:.3f} ms  ({stat['calls']:,} calls)"
        )
    print(
        f"  rate-limit decision (check_many, 2 limits): p50 {rate_stats['p50_ms']:.3f} ms  "
        f"p99 {rate_stats['p99_ms']:.3f} ms  ({rate_stats['calls']:,} calls, "
        f"{rate_stats['degraded']} degraded)"
    )
    print(
        f"  Redis round trips per proxied request: {rtt['round_trips_per_request']:.3f} "
        f"{rtt['gateway_commands_per_request']}; inside scripts "
        f"{rtt['inside_scripts_per_request']}; per request {rtt['round_trips_histogram']}"
    )
    if rtt["background_commands_per_request"]:
        print(f"    (stream consumer, not counted: {rtt['background_commands_per_request']})")
    if rtt["other_clients_load_window"] or rtt["other_clients_idle_window"]:
        print(
            f"    (other Redis clients meanwhile: {rtt['other_clients_load_window']} commands "
            f"in the load window, {rtt['other_clients_idle_window']} idle; not counted)"
        )
    for name, g in revoked["per_gateway"].items():
        shown = f"{g['max_ms']:.0f} ms" if g["max_ms"] is not None else "NOT REFUSED"
        print(
            f"  revocation -> refusal on {name}: p50 {g['p50_ms']} ms, max {shown} "
            f"({revoked['repeats']} revocations)"
        )
    if results["profile"]:
        print(f"  cProfile of a third gateway process under the same load: {s.profile}")
    for label, ok in targets.items():
        print(f"  target {label}: {'met' if ok else 'MISSED'}")
    print(f"  results: {RESULTS} (setup {setup_s:.0f}s, total {report['total_seconds']}s)")
    return 1 if s.strict and not all(targets.values()) else 0


class DirectToken:
    """The identity header the gateway would send billing, re-minted every 30 seconds."""

    def __init__(self, private_key: str, identity: Identity) -> None:
        self.signer = IdentitySigner(private_key)
        self.identity = identity
        self.minted_at = -1e9
        self.header: dict[str, str] = {}

    def __call__(self) -> dict[str, str]:
        now = time.monotonic()
        if now - self.minted_at > 30:
            token = self.signer.sign(self.identity, audience=FAMILY)
            self.minted_at, self.header = now, {IDENTITY_HEADER: token}
        return self.header


async def measure(
    s: Settings,
    stack: Stack,
    other_url: str,
    tenant: Tenant,
    redis_url: str,
    suffix: str,
    pids: set[int],
) -> dict[str, Any]:
    """Every measurement, on a running stack."""
    gw_env = stack.gateway_env()
    gateway_process = stack.component_process("gateway")
    billing_process = stack.component_process("billing")
    meter = CpuMeter(
        {"client": psutil.Process(), "gateway": gateway_process, "billing": billing_process}
    )
    direct_headers = DirectToken(
        gw_env["VELOX_IDENTITY_PRIVATE_KEY"],
        Identity(
            account_id=tenant.account_id,
            principal_id=tenant.key_id,
            plan=f"{FAMILY}:{TIER}",
            scopes=("*",),
        ),
    )
    key_headers = {"X-API-Key": tenant.key}
    direct_url, gateway_url = stack.url(FAMILY) + PATH, stack.gateway + PATH

    keys_stats = await key_verification(gw_env, redis_url, tenant.key, s.micro)
    rate_stats = await rate_limit_decisions(redis_url, suffix, max(500, s.micro // 4))
    loads: dict[int, dict[str, LoadResult]] = {}
    for c in s.concurrency:
        n = s.requests_at(c)
        direct = await run_load("direct", direct_url, direct_headers, n, c, s, meter)
        via = await run_load("gateway", gateway_url, lambda: key_headers, n, c, s, meter)
        loads[c] = {"direct": direct, "gateway": via}
    rtt = await redis_round_trips(
        redis_url, gateway_process, gateway_url, tenant.key, s.rtt_requests
    )
    revoked = await revocation(
        tenant, {"gateway-1": stack.gateway, "gateway-2": other_url}, s.revocations
    )
    profile = await profile_gateway(s, stack, tenant, s.profile, pids) if s.profile else None
    return {
        "profile": profile,
        "load": loads,
        "key_verification": keys_stats,
        "rate_limit": rate_stats,
        "redis": rtt,
        "revocation": revoked,
    }


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        sys.exit(runner.run(main()))
