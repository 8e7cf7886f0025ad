"""Deletes expired reservations (they stop counting at expiry; this keeps the table small)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.workers import BackgroundWorker, Quiesce

__all__ = ["ReservationSweeper"]

_log = logging.getLogger("velox.commerce.inventory")


class ReservationSweeper(BackgroundWorker):
    name = "reservation-sweeper"

    def __init__(self, sessions: Callable[[], AsyncSession], interval: float) -> None:
        self.sessions = sessions
        self.interval = interval
        self.quiesce = Quiesce()

    async def sweep(self) -> int:
        async with self.sessions() as session:
            result = await session.execute(
                text("DELETE FROM commerce.reservations WHERE expires_at <= now()")
            )
            await session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    async def run(self) -> None:
        while True:
            async with self.quiesce.section():
                try:
                    removed = await self.sweep()
                except Exception:
                    _log.exception("reservation sweep failed; next try in %.0f s", self.interval)
                else:
                    if removed:
                        _log.info("%d expired reservations deleted", removed)
            await asyncio.sleep(self.interval)
