"""Per-minute request rates with bursts, shared by every gateway process through Redis.

Each decision is one ``EVALSHA`` of a Lua script running GCRA (see
:mod:`velox_gateway.limits.gcra`) on Redis's own clock (``TIME``), so it is exact across
processes whatever their clocks say, costs one round trip, and can check several limits
(per key and per account) atomically: all consume, or none does. State is one integer per
key that expires as soon as the key is back to full capacity.

Why not slowapi or ``limits`` on this path: slowapi goes through ``limits``' synchronous
storage, so every check blocks the event loop on Redis, and when Redis fails it raises,
swallows the error (fails open) or switches to a separate memory limiter, depending on
settings. ``limits``' async storage needs a call to hit and another for the header
figures, one pair per limit with no all-or-nothing across limits, and its ``redis`` extra
pins redis-py below 8. slowapi remains the right tool where requests are few and keyed by
client address: the gateway's unauthenticated auth routes (``velox_gateway.auth.throttle``).

When Redis is unreachable (or a call fails) the limiter never raises and never lets
everything through: the same limits are enforced per process (so at worst each process
admits the full rate) and decisions say ``degraded=True``.

Example::

    limiter = RateLimiter(hot_redis)
    decision = await limiter.check_many(
        [(f"p:{principal_id}", 600, 100), (f"a:{account_id}", 3000, 500)]
    )
    if not decision.allowed:
        raise RateLimited(headers={"Retry-After": str(math.ceil(decision.retry_after))})
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, MaxConnectionsError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from velox_gateway.limits.gcra import (
    GcraParams,
    LocalGcra,
    RateDecision,
    decision_of,
    most_restrictive,
)

__all__ = ["RateDecision", "RateLimiter"]

_log = logging.getLogger("velox.gateway.limits")

# Whatever keeps a Redis call from answering: redis-py's errors and any socket error that
# escapes its wrapping.
REDIS_FAILURES = (RedisError, OSError)
# The failures that mean Redis as a whole is out of reach (rather than one call failing).
_OUTAGES = (RedisConnectionError, RedisTimeoutError, InvalidResponse, OSError)

# KEYS: one state key per limit. ARGV[1]: cost; then, per key, its emission interval and
# burst tolerance in microseconds. Reply: admitted (1 or 0), then per key how far its TAT
# runs ahead of now after deciding and how long its limit makes the request wait.
# TATs are written with %.0f: Lua's own number-to-string keeps 14 digits, fewer than the
# 16 a microsecond timestamp has.
GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local cost = tonumber(ARGV[1])
local bases, news, waits, admitted = {}, {}, {}, 1
for i, key in ipairs(KEYS) do
  local emission, tolerance = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key)) or now
  bases[i] = math.max(tat, now)
  news[i] = bases[i] + emission * cost
  waits[i] = math.max(0, news[i] - now - tolerance)
  if waits[i] > 0 then admitted = 0 end
end
local reply = {admitted}
for i, key in ipairs(KEYS) do
  local tat = bases[i]
  if admitted == 1 then
    tat = news[i]
    redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000))
  end
  reply[#reply + 1] = tat - now
  reply[#reply + 1] = waits[i]
end
return reply
"""


class RateLimiter:
    """GCRA limits in Redis, one atomic script call per decision, per-process when it is down.

    Give it a client made for the hot path: small ``socket_timeout`` and
    ``socket_connect_timeout`` (tens to a few hundred milliseconds), few or no retries
    (``retry=Retry(NoBackoff(), 1)``; redis-py's default retries ten times with backoff)
    and a pool at least as large as the process's concurrency (an exhausted pool raises
    ``MaxConnectionsError``: that call is decided locally). After Redis is found down or
    hanging, decisions stay local for ``recheck_after`` seconds instead of each paying a
    timeout.
    In Redis Cluster, keys of one ``check_many`` must share a hash tag (``{acc_1}:...``).

    Example::

        limiter = RateLimiter(Redis.from_url(url, socket_timeout=0.1), prefix="velox:rl")
        decision = await limiter.check("key:k1", per_minute=600, burst=100)
    """

    def __init__(
        self, redis: Redis, *, prefix: str = "velox:rl", recheck_after: float = 1.0
    ) -> None:
        self._script = redis.register_script(GCRA_SCRIPT)
        self._prefix = prefix + ":"
        self._local = LocalGcra()
        self._recheck_after = recheck_after
        self._local_until = 0.0
        self._next_warning = 0.0

    async def check(self, key: str, *, per_minute: int, burst: int, cost: int = 1) -> RateDecision:
        """Decide ``cost`` requests on ``key`` at ``per_minute`` with bursts of ``burst``.

        Example::

            decision = await limiter.check(f"p:{principal_id}", per_minute=600, burst=100)
            decision.allowed, decision.remaining  # (True, 99) on a fresh key
        """
        return await self.check_many([(key, per_minute, burst)], cost=cost)

    async def check_many(
        self, rules: Sequence[tuple[str, int, int]], *, cost: int = 1
    ) -> RateDecision:
        """Decide one request against several ``(key, per_minute, burst)`` limits at once.

        Admitted only if every limit admits it; when denied, no limit is consumed. The
        decision reported is the limit that makes the request wait longest or, when
        admitted, the one with the fewest requests left (what the headers should show).

        Example::

            await limiter.check_many([(f"p:{principal_id}", 600, 100), (f"a:{account}", 3000, 500)])
        """
        prepared = self._prepare(rules, cost)
        if time.monotonic() < self._local_until:
            return self._local.check_many(prepared, cost=cost, degraded=True)
        args: list[int] = [cost]
        for _, params in prepared:
            args += [params.emission_us, params.tolerance_us]
        try:
            reply = await self._script(keys=[key for key, _ in prepared], args=args)
        except REDIS_FAILURES as exc:
            self._on_failure(exc)
            return self._local.check_many(prepared, cost=cost, degraded=True)
        return _from_reply(prepared, reply)

    def _prepare(
        self, rules: Sequence[tuple[str, int, int]], cost: int
    ) -> list[tuple[str, GcraParams]]:
        if not rules:
            raise ValueError("check_many needs at least one limit")
        if len({key for key, _, _ in rules}) != len(rules):
            raise ValueError("each key may appear once per decision")
        if cost < 1:
            raise ValueError("cost must be at least 1")
        prepared = [(self._prefix + key, GcraParams(rate, burst)) for key, rate, burst in rules]
        if any(cost > params.burst for _, params in prepared):
            raise ValueError("cost exceeds a burst: such a request could never be admitted")
        return prepared

    def _on_failure(self, exc: Exception) -> None:
        now = time.monotonic()
        if isinstance(exc, _OUTAGES) and not isinstance(exc, MaxConnectionsError):
            # Redis is down or hanging: stop paying its timeouts on every request. An
            # exhausted pool or a failed command says nothing about the next call.
            self._local_until = now + self._recheck_after
        if now >= self._next_warning:
            self._next_warning = now + 10.0
            _log.warning(
                "rate limits decided in-process: Redis call failed",
                extra={"error": type(exc).__name__, "detail": str(exc)[:200]},
            )


def _from_reply(prepared: Sequence[tuple[str, GcraParams]], reply: Any) -> RateDecision:
    allowed = int(reply[0]) == 1
    return most_restrictive(
        [
            decision_of(
                params,
                allowed=allowed,
                held_us=int(reply[1 + 2 * index]),
                retry_us=int(reply[2 + 2 * index]),
            )
            for index, (_, params) in enumerate(prepared)
        ]
    )
