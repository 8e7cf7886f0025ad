"""Start ``python -m velox_devstack run`` (what ``make run`` runs) as a real process."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from pathlib import Path

import httpx
import psutil

COMPONENT_COUNT = 8


def free_port_base() -> int:
    """A base port whose next eight ports are all free."""
    for _ in range(100):
        base = random.randint(20000, 60000)
        if all(_free(base + i) for i in range(COMPONENT_COUNT)):
            return base
    raise RuntimeError("no free port range")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.base = free_port_base()
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "VELOX_HOME": str(home),
            "VELOX_PORT_BASE": str(self.base),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
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
