"""Which tier an account has in each product family, cached for the hot path."""

from __future__ import annotations

import contextlib
import json
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from velox_shared.contracts.plans import Tier

from velox_gateway.accounts.repository import Plans
from velox_gateway.catalog import CatalogHolder

_PREFIX = "velox:gw:plans:"


def plans_cache_key(account_id: str) -> str:
    """The Redis key holding an account's explicit tiers."""
    return _PREFIX + account_id


class PlanResolver:
    """Account plans from memory (``memory_ttl``), Redis, then the database."""

    def __init__(
        self,
        catalogs: CatalogHolder,
        redis: Redis,
        sessions: async_sessionmaker[AsyncSession],
        *,
        memory_ttl: float = 2.0,
        redis_ttl: int = 300,
    ) -> None:
        self._catalogs = catalogs
        self._redis = redis
        self._sessions = sessions
        self._memory_ttl = memory_ttl
        self._redis_ttl = redis_ttl
        self._memory: dict[str, tuple[float, dict[str, str]]] = {}

    async def tiers(self, account_id: str) -> dict[str, str]:
        """Every family mapped to the account's tier (the default tier where none is set)."""
        now = time.monotonic()
        cached = self._memory.get(account_id)
        if cached and now - cached[0] < self._memory_ttl:
            return cached[1]
        explicit = await self._load(account_id)
        catalog = self._catalogs.current
        tiers = {}
        for name, family in catalog.families.items():
            tier = explicit.get(name, catalog.default_tier)
            # A tier the current catalogue no longer has falls back to the default.
            tiers[name] = tier if tier in family.tiers else catalog.default_tier
        self._memory[account_id] = (now, tiers)
        return tiers

    async def tier(self, account_id: str, family: str) -> Tier:
        return self._catalogs.current.tier(family, (await self.tiers(account_id))[family])

    async def invalidate(self, account_id: str) -> None:
        self._memory.pop(account_id, None)
        with contextlib.suppress(RedisError):
            await self._redis.delete(plans_cache_key(account_id))

    async def _load(self, account_id: str) -> dict[str, str]:
        try:
            raw = await self._redis.get(plans_cache_key(account_id))
            if raw is not None:
                loaded: dict[str, str] = json.loads(raw)
                return loaded
        except RedisError:
            pass
        async with self._sessions() as session:
            explicit = await Plans(session).of(account_id)
        with contextlib.suppress(RedisError):
            await self._redis.set(
                plans_cache_key(account_id), json.dumps(explicit), ex=self._redis_ttl
            )
        return explicit
