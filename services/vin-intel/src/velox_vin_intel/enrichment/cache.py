"""Two cache levels for vPIC answers: Redis (hot, 30 days) and PostgreSQL (90 days).

A Redis outage is a cache miss, never an error: the PostgreSQL copy or vPIC answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from velox_vin_intel.db.models import VpicCacheEntry

__all__ = ["VpicCache"]

_log = logging.getLogger("velox.vin_intel.cache")

Attributes = dict[str, Any]


class VpicCache:
    """Normalised vPIC attributes per VIN, read through Redis then PostgreSQL."""

    def __init__(
        self,
        redis: Redis,
        sessions: async_sessionmaker[AsyncSession],
        *,
        prefix: str = "vin-intel:vpic:",
        redis_ttl: timedelta = timedelta(days=30),
        database_ttl: timedelta = timedelta(days=90),
    ) -> None:
        self.redis = redis
        self.sessions = sessions
        self.prefix = prefix
        self.redis_ttl = redis_ttl
        self.database_ttl = database_ttl

    async def get_many(self, vins: Sequence[str]) -> dict[str, Attributes]:
        """The cached answers among ``vins`` (Redis first, then PostgreSQL, refilling Redis)."""
        found = await self._from_redis(vins)
        missing = [v for v in vins if v not in found]
        if missing:
            stored = await self._from_database(missing)
            if stored:
                await self._to_redis(stored)
            found.update(stored)
        return found

    async def put_many(self, records: dict[str, Attributes]) -> None:
        """Keep fresh vPIC answers in both levels."""
        if not records:
            return
        await self._to_redis(records)
        now = datetime.now(UTC)
        rows = [
            {"vin": vin, "record": attrs, "fetched_at": now, "expires_at": now + self.database_ttl}
            for vin, attrs in records.items()
        ]
        statement = insert(VpicCacheEntry).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[VpicCacheEntry.vin],
            set_={
                "record": statement.excluded.record,
                "fetched_at": statement.excluded.fetched_at,
                "expires_at": statement.excluded.expires_at,
            },
        )
        async with self.sessions() as session, session.begin():
            await session.execute(statement)

    async def purge_expired(self) -> int:
        """Delete PostgreSQL entries past their 90 days; the count deleted."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                delete(VpicCacheEntry).where(VpicCacheEntry.expires_at < datetime.now(UTC))
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _from_redis(self, vins: Sequence[str]) -> dict[str, Attributes]:
        try:
            values = await self.redis.mget([self.prefix + v for v in vins])
        except RedisError as exc:
            _log.warning("vPIC cache: Redis unavailable (%s); reading PostgreSQL", exc)
            return {}
        return {vin: json.loads(raw) for vin, raw in zip(vins, values, strict=True) if raw}

    async def _to_redis(self, records: dict[str, Attributes]) -> None:
        seconds = int(self.redis_ttl.total_seconds())
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for vin, attrs in records.items():
                    pipe.set(self.prefix + vin, json.dumps(attrs), ex=seconds)
                await pipe.execute()
        except RedisError as exc:
            _log.warning("vPIC cache: Redis unavailable (%s); kept in PostgreSQL only", exc)

    async def _from_database(self, vins: Sequence[str]) -> dict[str, Attributes]:
        query = select(VpicCacheEntry.vin, VpicCacheEntry.record).where(
            VpicCacheEntry.vin.in_(list(vins)),
            VpicCacheEntry.expires_at > datetime.now(UTC),
        )
        async with self.sessions() as session:
            rows = (await session.execute(query)).all()
        return {vin: dict(record) for vin, record in rows}
