"""The bulk job worker: decodes pending batches, each exactly once, across restarts.

One batch is one transaction: the batch row is claimed with ``FOR UPDATE SKIP LOCKED``,
decoded, and its results, its ``done_at`` and the job's counters are written before the
commit. A worker that dies before the commit (crash, kill, lost connection) loses its
lock with its transaction, and the batch is simply claimed again by any worker; a batch
whose commit happened is never claimed again. No lease is needed because the lock lives
exactly as long as the work. The price is a connection held open while a batch decodes,
so batches must stay quick (the offline decoder does 1,000 VINs in well under a second;
vPIC enrichment is bounded by its own timeouts). Several processes share the work, and
``concurrency`` loops in one process overlap one batch's decoding with another's writes.

A batch whose decode raises is retried (after ``poll_interval``) up to ``max_attempts``
times, then its job fails with the error, so a poisonous batch cannot spin forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_vin_intel.decoding.schemas import VinDecode
from velox_vin_intel.jobs.repository import BatchCounts, ClaimedBatch, JobStore

__all__ = ["DecodeBatch", "JobWorker"]

DecodeBatch = Callable[[Sequence[str]], Awaitable[list[VinDecode]]]

_log = logging.getLogger("velox.vin_intel.jobs")
_ENRICHED = frozenset({"vpic", "cache"})


class JobWorker(BackgroundWorker):
    """Works through the batches of queued and running jobs until stopped."""

    name = "vin-jobs"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        decode: DecodeBatch,
        poll_interval: float = 1.0,
        *,
        concurrency: int = 1,
        max_attempts: int = 3,
    ) -> None:
        self._sessions = sessions
        self._decode = decode
        self._poll = poll_interval
        self._concurrency = max(1, concurrency)
        self._max_attempts = max_attempts
        self._wake = asyncio.Event()
        self.quiesce = Quiesce()

    def wake(self) -> None:
        """Look for work now (call after committing a new job)."""
        self._wake.set()

    async def run(self) -> None:
        """Run ``concurrency`` loops until cancelled."""
        await asyncio.gather(*(self._loop() for _ in range(self._concurrency)))

    async def _loop(self) -> None:
        while True:
            try:
                async with self.quiesce.section():
                    worked = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("bulk job batch failed", extra={"error": repr(exc)})
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)
                self._wake.clear()

    async def run_once(self) -> bool:
        """Decode and store one pending batch; False when there was none."""
        claimed: ClaimedBatch | None = None
        try:
            async with self._sessions() as session, session.begin():
                store = JobStore(session)
                claimed = await store.claim()
                if claimed is None:
                    return False
                if claimed.job_status == "queued":
                    await self._mark_running(claimed.job_id)
                results, counts = _encode(claimed.vins, await self._decode(claimed.vins))
                await store.store(claimed, results, counts)
        except Exception as exc:
            if claimed is not None:
                await self._record_failure(claimed, exc)
            raise
        return True

    async def _mark_running(self, job_id: str) -> None:
        # Its own short transaction: the job row is not held while the batch decodes.
        async with self._sessions() as session, session.begin():
            await JobStore(session).mark_running(job_id)

    async def _record_failure(self, batch: ClaimedBatch, exc: Exception) -> None:
        async with self._sessions() as session, session.begin():
            failed = await JobStore(session).record_failure(
                batch, repr(exc)[:2000], self._max_attempts
            )
        if failed:
            _log.error("bulk job failed", extra={"job_id": batch.job_id, "batch": batch.batch_no})


def _encode(vins: list[str], decodes: list[VinDecode]) -> tuple[list[str], BatchCounts]:
    """The decodes as JSON texts in the batch's order, and the batch's counts."""
    got = [d.vin for d in decodes]
    if got != vins:
        raise RuntimeError(
            f"the decoder answered {len(got)} decodes for {len(vins)} VINs, or in another order"
        )
    counts = BatchCounts(
        decoded=len(decodes),
        valid=sum(1 for d in decodes if d.valid),
        enriched=sum(1 for d in decodes if d.enrichment in _ENRICHED),
    )
    return [d.model_dump_json() for d in decodes], counts
