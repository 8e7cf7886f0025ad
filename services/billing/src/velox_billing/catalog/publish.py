"""Publishing the catalogue to the gateway: at start-up and every few minutes.

The gateway enforces the newest catalogue it received (``billing.catalog.published``), so
an edited ``plans.json`` reaches every gateway when billing restarts, and a gateway that
lost its copy gets it back at the next periodic publication. Each publication goes
through the outbox like every other event.
"""

from __future__ import annotations

import asyncio
import logging

from velox_shared.contracts.billing import CatalogPublished
from velox_shared.contracts.plans import catalog_version
from velox_shared.events import publish
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_billing.context import BillingContext

__all__ = ["CatalogPublisher", "publish_catalog"]

_log = logging.getLogger("velox.billing.catalog")


async def publish_catalog(context: BillingContext) -> str:
    """Write one ``billing.catalog.published`` to the outbox; returns the version."""
    version = catalog_version(context.catalog)
    async with context.runtime.sessions() as session, session.begin():
        await publish(
            session,
            context.runtime.events,
            CatalogPublished(version=version, catalog=context.catalog),
        )
    return version


class CatalogPublisher(BackgroundWorker):
    name = "catalog-publisher"

    def __init__(self, context: BillingContext) -> None:
        self._context = context
        self.quiesce = Quiesce()

    async def run(self) -> None:
        interval = self._context.settings.catalog_publish_interval_seconds
        while True:
            try:
                async with self.quiesce.section():
                    version = await publish_catalog(self._context)
                _log.info("catalogue published", extra={"version": version})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _log.warning("catalogue not published", extra={"error": repr(exc)})
                await asyncio.sleep(2)
                continue
            await asyncio.sleep(interval)
