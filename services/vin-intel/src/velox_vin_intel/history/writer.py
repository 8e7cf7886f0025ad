"""Write-behind for the decode history: rows gathered in memory, written together.

A decode answers in well under a millisecond of CPU; a transaction per request to record it
cost twice the rest of the request. The writer takes the rows a request produced and
writes everything gathered in one multi-row INSERT every ``interval`` seconds (at once when
``max_rows`` are waiting). A failed write keeps the rows for the next try (up to
``max_buffered``, beyond which the oldest are dropped with an error log); stopping the
service flushes what is left. A crash of the process loses at most the last interval's
rows: history is the account's record of what it looked up, while quotas and billing are
counted at the gateway and do not depend on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_vin_intel.db.models import Decode
from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.history.repository import history_rows

__all__ = ["HistoryWriter"]

_log = logging.getLogger("velox.vin_intel.history")


class HistoryWriter(BackgroundWorker):
    name = "history-writer"

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        interval: float = 0.05,
        max_rows: int = 1_000,
        max_buffered: int = 200_000,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.max_rows = max_rows
        self.max_buffered = max_buffered
        self.quiesce = Quiesce()
        self._rows: list[dict[str, Any]] = []
        self._full = asyncio.Event()

    def add(self, account_id: str, decodes: Sequence[VinDecode]) -> None:
        """Queue the history rows of one call (written within ``interval`` seconds)."""
        self._rows.extend(history_rows(account_id, decodes))
        if len(self._rows) >= self.max_rows:
            self._full.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), self.interval)
            self._full.clear()
            async with self.quiesce.section():
                await self.flush()

    async def flush(self) -> int:
        """Write what is waiting now; the number of rows written (0 on failure)."""
        rows, self._rows = self._rows, []
        if not rows:
            return 0
        try:
            async with self.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(insert(Decode), rows)
        except Exception:
            _log.exception("decode history: %d rows not written; retrying", len(rows))
            self._requeue(rows)
            await asyncio.sleep(min(5.0, self.interval * 20))
            return 0
        return len(rows)

    def _requeue(self, rows: list[dict[str, Any]]) -> None:
        self._rows[:0] = rows
        excess = len(self._rows) - self.max_buffered
        if excess > 0:
            _log.error("decode history: buffer full, %d oldest rows dropped", excess)
            del self._rows[:excess]

    async def stop(self, timeout: float = 5.0) -> None:
        await super().stop(timeout)
        await self.flush()  # what the last interval gathered
