"""``python -m velox_devstack run|migrate``: what ``make run`` and ``make migrate`` call."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from velox_shared.identity import generate_keypair

from velox_devstack.components import COMPONENTS, Component, project_root
from velox_devstack.database import component_url, migrate_all
from velox_devstack.embedded import EmbeddedPostgres, EmbeddedRedis
from velox_devstack.supervisor import ProcessSpec, Supervisor

__all__ = ["main"]


def say(message: str) -> None:
    print(f"velox | {message}", flush=True)


@dataclass
class Stack:
    admin_url: str
    redis_url: str
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()


def home() -> Path:
    path = Path(os.environ.get("VELOX_HOME") or project_root() / ".velox")
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_env(home: Path, port_base: int, extra: dict[str, str]) -> dict[str, str]:
    """The environment for a separate ``velox_devstack run`` (tests, benchmarks): its own
    state folder and port range; servers come from ``extra`` (the caller's own
    ``DATABASE_URL``/``REDIS_URL`` are dropped so the child never inherits them by accident).
    """
    inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {
        **inherited,
        "VELOX_HOME": str(home),
        "VELOX_PORT_BASE": str(port_base),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def role_prefix() -> str:
    return os.environ.get("VELOX_DB_ROLE_PREFIX", "velox_")


def start_stack(*, with_redis: bool = True) -> Stack:
    """Use DATABASE_URL / REDIS_URL when set; start embedded servers for what is not."""
    stack = Stack(os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", ""))
    try:
        if not stack.admin_url:
            say(f"DATABASE_URL not set: starting embedded PostgreSQL in {home() / 'postgres'}")
            stack.postgres = EmbeddedPostgres(home() / "postgres")
            stack.admin_url = stack.postgres.start()
        else:
            say("using PostgreSQL from DATABASE_URL")
        if not stack.redis_url and with_redis:
            port = int(os.environ.get("VELOX_EMBEDDED_REDIS_PORT", "6380"))
            say(f"REDIS_URL not set: starting embedded Redis on 127.0.0.1:{port}")
            stack.redis = EmbeddedRedis(home() / "redis", port)
            stack.redis_url = stack.redis.start()
        else:
            say("using Redis from REDIS_URL")
    except BaseException:
        stack.stop()
        raise
    return stack


def identity_keys() -> tuple[str, str]:
    """The gateway's signing pair: from the environment, else a local pair kept in home."""
    private = os.environ.get("VELOX_IDENTITY_PRIVATE_KEY")
    public = os.environ.get("VELOX_IDENTITY_PUBLIC_KEY")
    if private and public:
        return private, public
    folder = home() / "identity"
    folder.mkdir(exist_ok=True, mode=0o700)
    priv_file, pub_file = folder / "private.pem", folder / "public.pem"
    if not priv_file.exists():
        private, public = generate_keypair()
        priv_file.write_text(private)
        priv_file.chmod(0o600)
        pub_file.write_text(public)
    return priv_file.read_text(), pub_file.read_text()


def local_secret(name: str) -> str:
    """A random secret kept in home (or the environment's value), e.g. the API key pepper."""
    env = os.environ.get(name)
    if env:
        return env
    path = home() / "identity" / name.lower()
    path.parent.mkdir(exist_ok=True, mode=0o700)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def write_component_env(name: str, env: dict[str, str]) -> None:
    """What the ``velox`` operator console needs to reach the local stack's ``name``."""
    path = home() / f"{name}.env"
    path.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in sorted(env.items())))
    path.chmod(0o600)


# The loopback Stripe of a local stack sits above the components' ports.
FAKE_STRIPE_OFFSET = 50


def stripe_env(host: str, base: int) -> tuple[dict[str, str], ProcessSpec | None]:
    """The Stripe settings of billing and commerce: the environment's own when
    ``STRIPE_API_KEY`` is set (test mode with real keys), else a loopback fake Stripe this
    stack starts, whose webhooks come back through the gateway to both services like
    Stripe's would (one secret for both endpoints), and whose plans billing syncs."""
    if os.environ.get("STRIPE_API_KEY"):
        names = ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")
        return {k: os.environ[k] for k in names if os.environ.get(k)}, None
    port = base + FAKE_STRIPE_OFFSET
    secret = "whsec_" + local_secret("FAKE_STRIPE_WEBHOOK_SECRET")
    env = {
        "STRIPE_API_KEY": "sk_test_velox_local",
        "STRIPE_API_BASE": f"http://{host}:{port}",
        "STRIPE_WEBHOOK_SECRET": secret,
        "BILLING_SYNC_PLANS_ON_START": "true",
    }
    argv = [
        sys.executable,
        "-m",
        "velox_devstack.fakestripe",
        "--host",
        host,
        "--port",
        str(port),
        "--webhook-url",
        f"http://{host}:{base}/v1/billing/webhooks/stripe",
        "--webhook-url",
        f"http://{host}:{base}/v1/commerce/payments/stripe/webhook",
        "--webhook-secret",
        secret,
    ]
    fake_env = {"FAKE_STRIPE_API_KEY": env["STRIPE_API_KEY"], "PYTHONUNBUFFERED": "1"}
    return env, ProcessSpec("stripe", argv, fake_env)


# The loopback vPIC: nothing here reaches NHTSA, so a local stack answers from recordings
# unless VIN_INTEL_VPIC_BASE_URL names a vPIC (https://vpic.nhtsa.dot.gov/api is the real).
FAKE_VPIC_OFFSET = 51


def vpic_env(host: str, base: int) -> tuple[dict[str, str], ProcessSpec | None]:
    """vin-intel's vPIC settings: the environment's own, else the loopback vPIC."""
    if os.environ.get("VIN_INTEL_VPIC_BASE_URL"):
        return {"VIN_INTEL_VPIC_BASE_URL": os.environ["VIN_INTEL_VPIC_BASE_URL"]}, None
    port = base + FAKE_VPIC_OFFSET
    argv = [sys.executable, "-m", "velox_devstack.fakevpic", "--host", host, "--port", str(port)]
    env = {"VIN_INTEL_VPIC_BASE_URL": f"http://{host}:{port}/api"}
    return env, ProcessSpec("vpic", argv, {"PYTHONUNBUFFERED": "1"})


def process_specs(stack: Stack, host: str, base: int) -> list[ProcessSpec]:
    private, public = identity_keys()
    urls = {c.name: f"http://{host}:{c.port(base)}" for c in COMPONENTS if c.name != "gateway"}
    specs = []
    stripe_settings, fake_stripe = stripe_env(host, base)
    if fake_stripe is not None:
        specs.append(fake_stripe)
    vin_vpic, fake_vpic = vpic_env(host, base)
    if fake_vpic is not None:
        specs.append(fake_vpic)
    for component in COMPONENTS:
        env = {
            "DATABASE_URL": component_url(stack.admin_url, component, role_prefix()),
            "REDIS_URL": stack.redis_url,
            "VELOX_IDENTITY_PUBLIC_KEY": public,
            "VELOX_ENV": os.environ.get("VELOX_ENV", "local"),
        }
        if component.name == "gateway":
            env["VELOX_IDENTITY_PRIVATE_KEY"] = private
            env["VELOX_SERVICE_URLS"] = json.dumps(urls)
            env["VELOX_SESSION_SECRET"] = local_secret("VELOX_SESSION_SECRET")
            env["VELOX_API_KEY_PEPPER"] = local_secret("VELOX_API_KEY_PEPPER")
            write_component_env("gateway", env)
        if component.name == "vin-intel":
            env.update(vin_vpic)
        if component.name == "billing":
            env.update(stripe_settings)
            write_component_env("billing", env)
        if component.name == "commerce":
            env.update(stripe_settings)
            # Product images on disk beside the embedded servers' data, not in the tree.
            images = os.environ.get("COMMERCE_IMAGE_DIR") or str(home() / "commerce-images")
            env["COMMERCE_IMAGE_DIR"] = images
        specs.append(ProcessSpec(component.name, uvicorn_argv(component, host, base), env))
    return specs


def uvicorn_argv(component: Component, host: str, base: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        f"{component.package}.app:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(component.port(base)),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "5",
    ]


def busy_ports(host: str, base: int) -> list[int]:
    busy = []
    for component in COMPONENTS:
        with socket.socket() as sock:
            if sock.connect_ex((host, component.port(base))) == 0:
                busy.append(component.port(base))
    return busy


def take_lock() -> IO[str] | None:
    lock = (home() / "run.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        say(f"Velox is already running (supervisor pid {lock.read().strip() or '?'}).")
        say("Use that one, or stop it with Ctrl-C in its terminal first.")
        lock.close()
        return None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


async def announce_when_ready(host: str, base: int, supervisor: Supervisor) -> None:
    url = f"http://{host}:{base}/readyz"
    async with httpx.AsyncClient(timeout=2.0) as client:
        for _ in range(600):
            try:
                if (await client.get(url)).status_code == 200:
                    say(f"ready: gateway on http://{host}:{base} (docs at /docs); Ctrl-C stops all")
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    say("the gateway did not become ready in 5 minutes; see the logs above")


async def supervise(specs: list[ProcessSpec], host: str, base: int) -> None:
    supervisor = Supervisor(specs)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, supervisor.stop)
    ready = asyncio.create_task(announce_when_ready(host, base, supervisor))
    try:
        await supervisor.run()
    finally:
        ready.cancel()
    say("all processes stopped")


def cmd_run() -> int:
    lock = take_lock()
    if lock is None:
        return 1
    host = os.environ.get("VELOX_HOST", "127.0.0.1")
    base = int(os.environ.get("VELOX_PORT_BASE", "8000"))
    busy = busy_ports(host, base)
    if busy:
        say(f"ports {busy} on {host} are taken by another program; set VELOX_PORT_BASE")
        return 1
    stack = start_stack()
    try:
        say("migrating every schema")
        migrate_all(stack.admin_url, role_prefix())
        asyncio.run(supervise(process_specs(stack, host, base), host, base))
    finally:
        say("stopping embedded servers" if stack.postgres or stack.redis else "bye")
        stack.stop()
        lock.close()
    return 0


def cmd_migrate() -> int:
    stack = start_stack(with_redis=False)
    try:
        started = time.monotonic()
        migrate_all(stack.admin_url, role_prefix())
        say(f"all schemas at head ({time.monotonic() - started:.1f}s)")
    finally:
        stack.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="velox_devstack", description=__doc__)
    parser.add_argument("command", choices=["run", "migrate"])
    args = parser.parse_args(argv)
    if args.command == "run":
        return cmd_run()
    return cmd_migrate()
