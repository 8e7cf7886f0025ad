"""Background loops stop between units of work, never inside one."""

from __future__ import annotations

import asyncio

import pytest
from velox_shared.workers import Quiesce, stop_tasks


async def test_stop_waits_for_the_running_section_then_cancels() -> None:
    quiesce = Quiesce()
    finished: list[int] = []
    entered = asyncio.Event()

    async def loop() -> None:
        n = 0
        while True:
            async with quiesce.section():
                entered.set()
                await asyncio.sleep(0.2)  # a transaction in flight
                finished.append(n)
            n += 1
            await asyncio.sleep(3600)  # idle: safe to cancel here

    task = asyncio.create_task(loop())
    await entered.wait()
    await stop_tasks([task], [quiesce], timeout=5)
    assert finished == [0]  # the unit of work completed, no second one started
    assert task.cancelled()


async def test_no_section_starts_after_a_stop() -> None:
    quiesce = Quiesce()
    await quiesce.stop(timeout=0.1)
    with pytest.raises(asyncio.CancelledError):
        async with quiesce.section():
            pass


async def test_stop_gives_up_after_the_timeout() -> None:
    quiesce = Quiesce()

    async def stuck() -> None:
        async with quiesce.section():
            await asyncio.sleep(3600)

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    await stop_tasks([task], [quiesce], timeout=0.1)
    assert task.cancelled()
