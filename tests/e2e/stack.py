"""Start ``python -m velox_devstack run`` (what ``make run`` runs) as a real process."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
from redis.asyncio import Redis
from velox_devstack.cli import run_env
from velox_shared.contracts.plans import catalog_version, load_catalog

from tests.conftest import DbInfo, Servers, shipped_catalog

COMPONENT_COUNT = 8
FAKE_STRIPE_OFFSET = 50  # velox_devstack.cli.FAKE_STRIPE_OFFSET
FAKE_VPIC_OFFSET = 51  # velox_devstack.cli.FAKE_VPIC_OFFSET
CATALOG_VERSION_KEY = "velox:gw:catalog:version"  # velox_gateway.catalog.VERSION_KEY


def free_port_base() -> int:
    """A base port whose next eight ports, and the fake Stripe's and vPIC's, are all free.

    Below Linux's ephemeral range (32768 up): a port there can be taken by any outgoing
    connection between this check and the server's bind.
    """
    for _ in range(100):
        base = random.randint(20000, 32000)
        fakes = [base + FAKE_STRIPE_OFFSET, base + FAKE_VPIC_OFFSET]
        ports = [base + i for i in range(COMPONENT_COUNT)] + fakes
        if all(_free(port) for port in ports):
            return base
    raise RuntimeError("no free port range")


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.base = free_port_base()
        self.env = run_env(home, self.base, env)
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    def url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base + offset}"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "velox_devstack",
            "run",
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process and self.process.stdout
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())

    async def wait_ready(self, timeout: float = 120) -> dict[str, str]:
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(timeout=3) as client:
            while asyncio.get_running_loop().time() < deadline:
                assert self.process and self.process.returncode is None, self.output()
                try:
                    response = await client.get(self.gateway + "/readyz")
                    if response.status_code == 200:
                        checks: dict[str, str] = response.json()["checks"]
                        return checks
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.3)
        raise AssertionError("stack not ready in time:\n" + self.output())

    async def wait_catalog(self, redis_url: str, plans_file: str, timeout: float = 60) -> None:
        """Until the gateways enforce the catalogue billing publishes from ``plans_file``
        (another stack on the same Redis may have left its own behind)."""
        expected = catalog_version(load_catalog(plans_file))
        redis = Redis.from_url(redis_url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while _text(await redis.get(CATALOG_VERSION_KEY)) != expected:
                assert loop.time() < deadline, "catalogue not published:\n" + self.output()
                await asyncio.sleep(0.2)
        finally:
            await redis.aclose()
        await asyncio.sleep(1.5)  # each gateway process checks the version every second

    def children(self) -> list[psutil.Process]:
        assert self.process
        return psutil.Process(self.process.pid).children(recursive=True)

    async def interrupt(self, timeout: float = 60) -> int:
        assert self.process
        self.process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader:
            await self._reader
        return code

    async def kill(self) -> None:
        if self.process and self.process.returncode is None:
            for child in self.children():
                child.kill()
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        return "\n".join(self.lines[-80:])


def gateway_env(stack: Stack) -> dict[str, str]:
    """The stack's gateway environment (what ``make run`` wrote for the console)."""
    lines = (stack.home / "gateway.env").read_text().splitlines()
    env = {k: json.loads(v) for k, _, v in (line.partition("=") for line in lines)}
    return {**stack.env, **env}


async def velox_cli(stack: Stack, *args: str) -> dict[str, Any]:
    """Run the ``velox`` operator console against ``stack``; its JSON output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "velox_devstack.console",
        *args,
        env=gateway_env(stack),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


def write_catalogue(tmp: Path, adjust: Callable[[dict[str, Any]], None]) -> str:
    """The shipped catalogue with ``adjust`` applied to its families, plus a paid
    ``billing:pro`` tier (features ``billing.manage`` and ``billing.family``, no lookup
    quota) derived from the adjusted ``billing:free``; returns the file's path."""
    data: dict[str, Any] = json.loads(shipped_catalog().model_dump_json())
    adjust(data["families"])
    billing = data["families"]["billing"]["tiers"]
    billing["pro"] = {
        **billing["free"],
        "name": "pro",
        "title": "Pro",
        "features": ["billing.manage", "billing.family"],
        "price": {"amount": 500, "currency": "USD", "interval": "month"},
        "quotas": {"billing.lookups": None},
    }
    path = tmp / "plans.json"
    path.write_text(json.dumps(data))
    return str(path)


def write_billing_policy(tmp: Path) -> str:
    """A route policy: ``billing.family`` for one family's plans, a lookup quota on the list."""
    rules = [
        {"method": "GET", "path": "/v1/billing/plans/{family}", "feature": "billing.family"},
        {"method": "GET", "path": "/v1/billing/plans", "quota": "billing.lookups"},
    ]
    path = tmp / "policy.json"
    path.write_text(json.dumps({"rules": rules}))
    return str(path)


@asynccontextmanager
async def running_stack(
    home: Path, database: DbInfo, servers: Servers, plans_file: str, env: dict[str, str]
) -> AsyncIterator[Stack]:
    """``make run``'s stack on the test servers with catalogue ``plans_file`` and ``env``,
    ready and enforcing that catalogue; killed afterwards."""
    stack = Stack(
        home,
        {
            "DATABASE_URL": database.admin_url,
            "REDIS_URL": servers.redis_url,
            "VELOX_DB_ROLE_PREFIX": database.role_prefix,
            "BILLING_PLANS_FILE": plans_file,
            # Small pools: a stack is nine processes, two stacks can be up at once and the
            # other test workers share the server's connection slots (100 by default).
            "VELOX_DB_POOL_SIZE": "2",
            **env,
        },
    )
    await stack.start()
    try:
        await stack.wait_ready()
        await stack.wait_catalog(servers.redis_url, plans_file)
        yield stack
    finally:
        await stack.kill()
