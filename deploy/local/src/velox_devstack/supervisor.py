"""A small process supervisor: starts processes, prefixes their logs, restarts crashes,
and on Ctrl-C stops them all (children die with it even if it is killed)."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ProcessSpec", "Supervisor", "die_with_parent"]

_COLORS = ["36", "32", "33", "35", "34", "31", "96", "92", "93", "95"]
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to the child if the supervisor dies, so a
    # `kill -9` of the supervisor leaves no orphans.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class _Running:
    spec: ProcessSpec
    color: str
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0


class Supervisor:
    """Runs every spec until :meth:`stop`; a process that exits is restarted with backoff."""

    def __init__(self, specs: list[ProcessSpec], *, out: Callable[[str], None] | None = None):
        width = max(len(s.name) for s in specs)
        self._width = width
        self._procs = [_Running(s, _COLORS[i % len(_COLORS)]) for i, s in enumerate(specs)]
        self._stopping = asyncio.Event()
        self._out = out or (lambda line: print(line, flush=True))
        self._color = sys.stdout.isatty()

    def log(self, name: str, line: str, color: str = "37") -> None:
        label = name.ljust(self._width)
        prefix = f"\x1b[{color}m{label} |\x1b[0m" if self._color else f"{label} |"
        self._out(f"{prefix} {line}")

    async def run(self) -> None:
        """Supervise until stopped, then terminate every child."""
        watchers = [asyncio.create_task(self._watch(r)) for r in self._procs]
        await self._stopping.wait()
        await self._terminate_all()
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

    def stop(self) -> None:
        self._stopping.set()

    async def _watch(self, running: _Running) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            started = time.monotonic()
            code = await self._run_once(running)
            if self._stopping.is_set():
                return
            if time.monotonic() - started > 30:
                backoff = 1.0
            running.restarts += 1
            self.log(
                running.spec.name,
                f"exited with code {code}; restarting in {backoff:.0f}s",
                running.color,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), backoff)
            backoff = min(backoff * 2, 30.0)

    async def _run_once(self, running: _Running) -> int:
        spec = running.spec
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            env={**os.environ, **spec.env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
            preexec_fn=die_with_parent,
            limit=1 << 20,
        )
        running.process = process
        assert process.stdout is not None
        async for raw in process.stdout:
            self.log(spec.name, raw.decode(errors="replace").rstrip(), running.color)
        return await process.wait()

    async def _terminate_all(self, grace: float = 10.0) -> None:
        alive = [r.process for r in self._procs if r.process and r.process.returncode is None]
        for process in alive:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in alive)), grace)
        except TimeoutError:
            for process in alive:
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            await asyncio.gather(*(p.wait() for p in alive))

    def pids(self) -> dict[str, int]:
        return {
            r.spec.name: r.process.pid
            for r in self._procs
            if r.process is not None and r.process.returncode is None
        }
