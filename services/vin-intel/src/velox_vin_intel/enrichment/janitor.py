"""Deletes vPIC answers past their 90 days from PostgreSQL (reads already ignore them)."""

from __future__ import annotations

import asyncio
import logging

from velox_shared.workers import BackgroundWorker, Quiesce

from velox_vin_intel.enrichment.cache import VpicCache

__all__ = ["CachePurger"]

_log = logging.getLogger("velox.vin_intel.cache")


class CachePurger(BackgroundWorker):
    name = "vpic-cache-purger"

    def __init__(self, cache: VpicCache, interval: float = 3600.0) -> None:
        self.cache = cache
        self.interval = interval
        self.quiesce = Quiesce()

    async def run(self) -> None:
        while True:
            async with self.quiesce.section():
                try:
                    removed = await self.cache.purge_expired()
                except Exception:
                    _log.exception("vPIC cache purge failed; next try in %.0f s", self.interval)
                else:
                    if removed:
                        _log.info("vPIC cache: %d expired answers deleted", removed)
            await asyncio.sleep(self.interval)
