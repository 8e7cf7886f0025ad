"""Request rates and monthly quotas, shared by every gateway process through Redis.

- :class:`RateLimiter`: per-minute rates with bursts (GCRA), one atomic Lua script call
  per decision, several limits (per key and per account) all or nothing. Degrades to a
  per-process limiter when Redis is unreachable; never raises, never opens up.
- :class:`QuotaCounter`: monthly quotas of metered operations, checked and counted
  atomically; raises :class:`QuotaUnavailable` (503) when Redis is unreachable.

Why a Lua GCRA rather than slowapi on the proxied path is told in
:mod:`velox_gateway.limits.rate`; slowapi still guards the unauthenticated auth routes.

Example::

    limiter, quotas = RateLimiter(hot_redis), QuotaCounter(hot_redis)
    rate = await limiter.check_many([(f"p:{principal}", 600, 100), (f"a:{account}", 3000, 500)])
    quota = await quotas.consume(account, "vin.decode", limit=1000)
"""

from velox_gateway.limits.gcra import RateDecision
from velox_gateway.limits.quota import QuotaCounter, QuotaDecision, QuotaUnavailable, quota_period
from velox_gateway.limits.rate import RateLimiter

__all__ = [
    "QuotaCounter",
    "QuotaDecision",
    "QuotaUnavailable",
    "RateDecision",
    "RateLimiter",
    "quota_period",
]
