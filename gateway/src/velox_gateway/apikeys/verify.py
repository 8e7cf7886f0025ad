"""Verifying API keys on the hot path: format check, then memory, Redis, database.

Memory entries live at most ``memory_ttl`` (1 s), which bounds how long a revoked key can
keep working on any gateway process; revocation also deletes the Redis entry at once.
When Redis is unreachable the database answers, so revocation never fails open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from velox_gateway.access.principal import Principal
from velox_gateway.apikeys.keys import hash_key, is_well_formed
from velox_gateway.apikeys.repository import ApiKeys
from velox_gateway.errors import AccountSuspended, InvalidApiKey

_log = logging.getLogger("velox.gateway.keys")
_PREFIX = "velox:gw:apikey:"


@dataclass(frozen=True)
class KeyRecord:
    id: str
    account_id: str
    scopes: tuple[str, ...]
    expires_at: float | None
    revoked: bool
    account_status: str


class KeyVerifier:
    def __init__(
        self,
        redis: Redis,
        sessions: async_sessionmaker[AsyncSession],
        pepper: str,
        *,
        memory_ttl: float = 1.0,
        redis_ttl: int = 60,
    ) -> None:
        self._redis = redis
        self._sessions = sessions
        self._pepper = pepper
        self._memory_ttl = memory_ttl
        self._redis_ttl = redis_ttl
        self._memory: dict[str, tuple[float, KeyRecord | None]] = {}
        self._touched: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def verify(self, key: str) -> Principal:
        """The principal of a valid key; 401/403 problems otherwise."""
        if not is_well_formed(key):
            raise InvalidApiKey("The API key is malformed (check for a typo or truncation).")
        digest = hash_key(key, self._pepper)
        record = await self._record(digest)
        if record is None or record.revoked:
            raise InvalidApiKey("The API key is unknown or has been revoked.")
        if record.expires_at is not None and record.expires_at <= time.time():
            raise InvalidApiKey("The API key has expired.")
        if record.account_status != "active":
            raise AccountSuspended("This account is suspended.")
        self._touch(record.id)
        return Principal(
            account_id=record.account_id,
            principal_id=record.id,
            kind="api_key",
            scopes=record.scopes,
        )

    async def invalidate(self, key_hash: str) -> None:
        """Forget a key everywhere we cache it (other processes within ``memory_ttl``)."""
        self._memory.pop(key_hash, None)
        try:
            await self._redis.delete(_PREFIX + key_hash)
        except RedisError:
            _log.warning("could not drop a revoked key from Redis; its entry expires soon")

    async def _record(self, digest: str) -> KeyRecord | None:
        now = time.monotonic()
        cached = self._memory.get(digest)
        if cached and now - cached[0] < self._memory_ttl:
            return cached[1]
        found, record = await self._from_redis(digest)
        if not found:
            record = await self._from_db(digest)
            await self._to_redis(digest, record)
        self._memory[digest] = (now, record)
        if len(self._memory) > 100_000:
            self._memory.clear()
        return record

    async def _from_redis(self, digest: str) -> tuple[bool, KeyRecord | None]:
        """(found, record); a cached ``None`` is a known-unknown key."""
        try:
            raw = await self._redis.get(_PREFIX + digest)
        except RedisError:
            return False, None
        if raw is None:
            return False, None
        data = json.loads(raw)
        if data is None:
            return True, None
        return True, KeyRecord(**{**data, "scopes": tuple(data["scopes"])})

    async def _to_redis(self, digest: str, record: KeyRecord | None) -> None:
        payload = json.dumps(asdict(record) if record else None)
        with contextlib.suppress(RedisError):
            await self._redis.set(_PREFIX + digest, payload, ex=self._redis_ttl)

    async def _from_db(self, digest: str) -> KeyRecord | None:
        async with self._sessions() as session:
            found = await ApiKeys(session).by_hash(digest)
        if found is None:
            return None
        key, account = found
        return KeyRecord(
            id=key.id,
            account_id=key.account_id,
            scopes=tuple(key.scopes),
            expires_at=key.expires_at.timestamp() if key.expires_at else None,
            revoked=key.revoked_at is not None,
            account_status=account.status,
        )

    def _touch(self, key_id: str) -> None:
        # last_used_at is informative: written at most once a minute per key and process.
        now = time.monotonic()
        if now - self._touched.get(key_id, -1e9) < 60:
            return
        self._touched[key_id] = now
        task = asyncio.create_task(self._write_touch(key_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_touch(self, key_id: str) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await ApiKeys(session).touch(key_id, datetime.now(UTC))
        except Exception as exc:
            _log.warning("could not record key use", extra={"error": repr(exc)})
