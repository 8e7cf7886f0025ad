"""The plan catalogue the gateway enforces: billing's, received as an event.

Billing publishes ``billing.catalog.published`` at start-up, every few minutes and on
change. The gateway process whose consumer takes the event stores it in Redis (body and
version); every gateway process watches the version key (one GET a second) and swaps in a
new catalogue when it changes. A process that starts before billing ever published has no
catalogue: proxied calls answer 503 ``catalog-unavailable`` and ``/readyz`` says so, until
the first publication arrives. ``GATEWAY_PLANS_FILE`` pins a catalogue from a file instead
(tests, emergencies); publications are then ignored.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.billing import CatalogPublished
from velox_shared.contracts.plans import Catalog, catalog_version, load_catalog
from velox_shared.errors import ServiceUnavailable
from velox_shared.events import EventEnvelope, Handler, after_commit
from velox_shared.workers import BackgroundWorker, Quiesce

__all__ = [
    "CatalogHolder",
    "CatalogUnavailable",
    "CatalogWatcher",
    "catalog_published_handler",
    "load_stored_catalog",
    "read_cached",
]

CATALOG_KEY = "velox:gw:catalog"
VERSION_KEY = "velox:gw:catalog:version"

_log = logging.getLogger("velox.gateway.catalog")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class CatalogUnavailable(ServiceUnavailable):
    problem = "catalog-unavailable"
    title = "Plans are not loaded yet"


class CatalogHolder:
    """This process's catalogue; replaced whole, never edited."""

    def __init__(self, catalog: Catalog | None = None, *, pinned: bool = False) -> None:
        self._catalog = catalog
        self.version = catalog_version(catalog) if catalog else None
        self.pinned = pinned

    @classmethod
    def from_file(cls, path: str) -> CatalogHolder:
        return cls(load_catalog(path), pinned=True)

    @property
    def loaded(self) -> bool:
        return self._catalog is not None

    @property
    def current(self) -> Catalog:
        if self._catalog is None:
            raise CatalogUnavailable(
                "The gateway has not received the plan catalogue from billing yet; retry "
                "in a few seconds.",
                headers={"Retry-After": "2"},
            )
        return self._catalog

    def replace(self, catalog: Catalog, version: str) -> bool:
        if self.pinned or version == self.version:
            return False
        self._catalog, self.version = catalog, version
        _log.info("catalogue loaded", extra={"version": version})
        return True


async def read_cached(redis: Redis) -> CatalogPublished | None:
    """The catalogue last stored in Redis, if any."""
    raw = await redis.get(CATALOG_KEY)
    return CatalogPublished.model_validate_json(raw) if raw else None


async def load_stored_catalog(redis: Redis, holder: CatalogHolder) -> None:
    """At start-up: the catalogue billing last published, if Redis has it."""
    try:
        published = await read_cached(redis)
    except (RedisError, ValueError) as exc:
        _log.warning("stored catalogue unreadable", extra={"error": repr(exc)})
        return
    if published is not None:
        holder.replace(published.catalog, published.version)


def catalog_published_handler(redis: Redis, holder: CatalogHolder) -> Handler:
    """Stores a published catalogue in Redis (after the consumer's commit) and loads it."""

    async def handle(envelope: EventEnvelope, session: AsyncSession) -> None:
        published = envelope.parse(CatalogPublished)
        if catalog_version(published.catalog) != published.version:
            raise ValueError(f"catalogue version mismatch in {envelope.id}")

        async def store() -> None:
            current = await redis.get(VERSION_KEY)
            if current is not None and _text(current) == published.version:
                return
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(CATALOG_KEY, published.model_dump_json())
                pipe.set(VERSION_KEY, published.version)
                await pipe.execute()

        after_commit(session, store)
        holder.replace(published.catalog, published.version)

    return handle


class CatalogWatcher(BackgroundWorker):
    """Loads the catalogue stored in Redis whenever its version changes."""

    name = "catalog-watcher"

    def __init__(self, redis: Redis, holder: CatalogHolder, *, interval: float = 1.0) -> None:
        self._redis = redis
        self._holder = holder
        self._interval = interval
        self.quiesce = Quiesce()

    async def check_once(self) -> bool:
        """Load a newer stored catalogue; True if one was loaded."""
        version = await self._redis.get(VERSION_KEY)
        if version is None or _text(version) == self._holder.version:
            return False
        published = await read_cached(self._redis)
        if published is None:
            return False
        return self._holder.replace(published.catalog, published.version)

    async def run(self) -> None:
        if self._holder.pinned:
            return
        while True:
            try:
                await self.check_once()
            except (RedisError, ValueError) as exc:
                _log.warning("catalogue check failed", extra={"error": repr(exc)})
            await asyncio.sleep(self._interval)
