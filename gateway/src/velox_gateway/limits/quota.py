"""Monthly quotas of metered operations: one Redis hash per account and UTC calendar month.

``velox:quota:{account}:{YYYY-MM}`` maps each operation to the units used in that month;
a Lua script checks and increments in one step, so concurrent calls never take the count
past the limit. The hash expires ``retention`` (35 days) after its month ends, leaving
time to read last month's figures.

Quotas fail closed: when Redis is unreachable (or a call to it fails) every method raises
:class:`QuotaUnavailable`, a 503 problem, instead of letting metered work through uncounted.

Example::

    quotas = QuotaCounter(hot_redis)
    decision = await quotas.consume("acc_1", "vin.decode", limit=1000)
    if not decision.allowed:
        raise QuotaExceeded(f"Resets at {decision.resets_at.isoformat()}")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from redis.asyncio import Redis
from velox_shared.errors import ServiceUnavailable

from velox_gateway.limits.rate import REDIS_FAILURES

__all__ = ["QuotaCounter", "QuotaDecision", "QuotaUnavailable", "quota_period"]

# KEYS[1]: the account-month hash. ARGV: operation, units, limit (-1: none), expiry (unix
# seconds). Reply: admitted (1 or 0), units used afterwards.
CONSUME_SCRIPT = """
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local units, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
if limit >= 0 and used + units > limit then
  return {0, used}
end
used = redis.call('HINCRBY', KEYS[1], ARGV[1], units)
redis.call('EXPIREAT', KEYS[1], ARGV[4])
return {1, used}
"""

# KEYS[1]: the account-month hash. ARGV: operation, units. Never goes below zero.
# Reply: units used afterwards.
REFUND_SCRIPT = """
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local back = math.min(tonumber(ARGV[2]), used)
if back > 0 then
  used = redis.call('HINCRBY', KEYS[1], ARGV[1], -back)
end
return used
"""


class QuotaUnavailable(ServiceUnavailable):
    """Quota accounting failed (Redis unreachable); the metered call must not go ahead."""

    problem = "quota-unavailable"
    title = "Quota accounting unavailable"


@dataclass(frozen=True, slots=True)
class QuotaDecision:
    """The outcome of one :meth:`QuotaCounter.consume`.

    ``limit`` and ``remaining`` are None for unlimited operations; ``used`` counts this
    call's units when admitted; ``period`` is the month (``YYYY-MM``) charged, which
    :meth:`QuotaCounter.refund` takes back from; ``resets_at`` is when the next one starts.
    """

    allowed: bool
    limit: int | None
    used: int
    remaining: int | None
    resets_at: datetime
    period: str


def quota_period(now: datetime) -> tuple[str, datetime]:
    """The UTC calendar month holding ``now``: its label and the instant the next begins.

    Example::

        quota_period(datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
        # ("2025-12", datetime(2026, 1, 1, tzinfo=UTC))
    """
    if now.tzinfo is None:
        raise ValueError("quota periods need an aware datetime")
    now = now.astimezone(UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return f"{now.year:04d}-{now.month:02d}", datetime(year, month, 1, tzinfo=UTC)


class QuotaCounter:
    """Counts metered units per account, operation and month; atomic, fail closed.

    Example::

        quotas = QuotaCounter(hot_redis)
        await quotas.consume("acc_1", "vin.decode", limit=1000, units=5)
        await quotas.usage("acc_1")  # {"vin.decode": 5}
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "velox:quota",
        retention: timedelta = timedelta(days=35),
    ) -> None:
        self._redis = redis
        self._prefix = prefix + ":"
        self._retention = retention
        self._consume = redis.register_script(CONSUME_SCRIPT)
        self._refund = redis.register_script(REFUND_SCRIPT)

    async def consume(
        self,
        account_id: str,
        operation: str,
        *,
        limit: int | None,
        units: int = 1,
        now: datetime | None = None,
    ) -> QuotaDecision:
        """Charge ``units`` of ``operation`` unless that would pass ``limit`` (None: no limit).

        A denied call charges nothing. Raises :class:`QuotaUnavailable` if Redis fails.

        Example::

            decision = await quotas.consume("acc_1", "vin.decode", limit=1000)
            decision.allowed, decision.remaining  # (True, 999) on a fresh month
        """
        if units < 1:
            raise ValueError("units must be at least 1")
        if limit is not None and limit < 0:
            raise ValueError("limit must be zero or more")
        period, resets_at = quota_period(now or datetime.now(UTC))
        expires = int((resets_at + self._retention).timestamp())
        args: list[str | int] = [operation, units, -1 if limit is None else limit, expires]
        try:
            reply = await self._consume(keys=[self._key(account_id, period)], args=args)
        except REDIS_FAILURES as exc:
            _unavailable(exc)
        allowed, used = int(reply[0]) == 1, int(reply[1])
        remaining = None if limit is None else max(0, limit - used)
        return QuotaDecision(allowed, limit, used, remaining, resets_at, period)

    async def refund(
        self, account_id: str, operation: str, *, units: int = 1, period: str | None = None
    ) -> int:
        """Give back ``units`` (say, the upstream call failed); returns the units still used.

        ``period`` is the month charged (``QuotaDecision.period``; default: this month),
        so a refund straddling midnight at a month's end reaches the right count.

        Example::

            decision = await quotas.consume("acc_1", "vin.decode", limit=1000)
            await quotas.refund("acc_1", "vin.decode", period=decision.period)  # 0
        """
        if units < 1:
            raise ValueError("units must be at least 1")
        period = period or quota_period(datetime.now(UTC))[0]
        try:
            used = await self._refund(keys=[self._key(account_id, period)], args=[operation, units])
        except REDIS_FAILURES as exc:
            _unavailable(exc)
        return int(used)

    async def usage(self, account_id: str, *, now: datetime | None = None) -> dict[str, int]:
        """Units used this month (the month holding ``now``) per operation, in one call.

        Example::

            await quotas.usage("acc_1")  # {"vin.decode": 42, "price.quote": 7}
        """
        period, _ = quota_period(now or datetime.now(UTC))
        try:
            raw = await self._redis.hgetall(self._key(account_id, period))
        except REDIS_FAILURES as exc:
            _unavailable(exc)
        return {_text(op): int(count) for op, count in raw.items()}

    def _key(self, account_id: str, period: str) -> str:
        return f"{self._prefix}{account_id}:{period}"


def _unavailable(exc: Exception) -> NoReturn:
    raise QuotaUnavailable(
        "Quota accounting is unreachable; metered calls cannot proceed.",
        headers={"Retry-After": "5"},
    ) from exc


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
