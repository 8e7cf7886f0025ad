"""The generic cell rate algorithm (GCRA), in whole microseconds, and an in-process limiter.

A limit of ``per_minute`` requests with a ``burst`` is one number per key: the theoretical
arrival time (TAT) of the next request. Each admitted request pushes it ``emission`` (one
minute / ``per_minute``) further; a request is denied when that would put the TAT more
than ``tolerance`` (``burst`` emissions) ahead of now. There is no window, so no window
edge at which a second burst could slip in: capacity comes back one slot per emission.

The Redis script in :mod:`velox_gateway.limits.rate` does the same integer arithmetic;
:class:`LocalGcra` is what it falls back to when Redis is unreachable.

Example::

    local = LocalGcra()
    local.check_many([("key:k1", GcraParams(per_minute=60, burst=10))]).allowed  # True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "MICROS",
    "GcraParams",
    "LocalGcra",
    "RateDecision",
    "decide_many",
    "decision_of",
    "most_restrictive",
]

MICROS = 1_000_000
_MINUTE_US = 60 * MICROS


@dataclass(frozen=True, slots=True)
class RateDecision:
    """One rate decision and what to advertise about it.

    ``limit`` is the requests per minute of the deciding rule (``RateLimit-Limit``),
    ``remaining`` the requests still allowed right now (``RateLimit-Remaining``),
    ``reset_after`` the seconds until the full burst is available again
    (``RateLimit-Reset``, ceil it), ``retry_after`` the seconds until this request would be
    admitted (0 when admitted; ``Retry-After``). ``degraded`` is True when the in-process
    fallback decided because Redis was unreachable.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float
    degraded: bool = False


@dataclass(frozen=True, slots=True)
class GcraParams:
    """A rate of ``per_minute`` requests allowing bursts of ``burst`` back to back.

    Example::

        GcraParams(per_minute=600, burst=10).emission_us  # 100_000: one request per 100 ms
    """

    per_minute: int
    burst: int

    def __post_init__(self) -> None:
        if not 1 <= self.per_minute <= _MINUTE_US:
            raise ValueError(f"per_minute must be between 1 and {_MINUTE_US}")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")

    @property
    def emission_us(self) -> int:
        """Microseconds between two requests at the steady rate (rounded up, never faster)."""
        return -(-_MINUTE_US // self.per_minute)

    @property
    def tolerance_us(self) -> int:
        """How far ahead of now the TAT may run: ``burst`` emissions."""
        return self.emission_us * self.burst


def decision_of(
    params: GcraParams, *, allowed: bool, held_us: int, retry_us: int, degraded: bool = False
) -> RateDecision:
    """The decision for a key whose TAT runs ``held_us`` ahead of now after deciding.

    Example::

        decision_of(GcraParams(60, 3), allowed=True, held_us=1_000_000, retry_us=0).remaining
        # 2: one of three slots is taken
    """
    free = max(0, params.tolerance_us - held_us)
    return RateDecision(
        allowed=allowed,
        limit=params.per_minute,
        remaining=free // params.emission_us,
        reset_after=max(0, held_us) / MICROS,
        retry_after=retry_us / MICROS,
        degraded=degraded,
    )


def decide_many(
    tats: Sequence[int | None], now: int, params: Sequence[GcraParams], cost: int
) -> tuple[bool, list[int], list[int]]:
    """Decide ``cost`` requests against several keys at once, all or nothing.

    ``tats`` are the stored TATs in microseconds (None when absent). Returns whether the
    request is admitted, the TAT of each key afterwards (unchanged when denied) and how
    long each key's limit makes the request wait (0 for keys that would admit it).

    Example::

        decide_many([None], 0, [GcraParams(60, 1)], 1)  # (True, [1_000_000], [0])
    """
    bases = [now if tat is None else max(tat, now) for tat in tats]
    new = [base + p.emission_us * cost for base, p in zip(bases, params, strict=True)]
    waits = [max(0, t - now - p.tolerance_us) for t, p in zip(new, params, strict=True)]
    allowed = not any(waits)
    return allowed, (new if allowed else bases), waits


def most_restrictive(decisions: Sequence[RateDecision]) -> RateDecision:
    """The decision to report for several limits: the longest wait, else the fewest left.

    Example::

        most_restrictive([per_key, per_account])  # the account's when it has fewer left
    """
    if not decisions:
        raise ValueError("no decisions to choose from")
    return min(decisions, key=lambda d: (-d.retry_after, d.remaining, -d.reset_after))


def _monotonic_us() -> int:
    return time.monotonic_ns() // 1000


class LocalGcra:
    """GCRA state in this process's memory: exact for one process, shared with none.

    Keys whose TAT has passed are equivalent to absent ones and are swept away as the
    table grows, so memory follows the number of keys limited within the last burst.
    """

    def __init__(self, *, clock: Callable[[], int] = _monotonic_us) -> None:
        self._clock = clock
        self._tats: dict[str, int] = {}
        self._sweep_at = 1024

    def check_many(
        self, rules: Sequence[tuple[str, GcraParams]], *, cost: int = 1, degraded: bool = False
    ) -> RateDecision:
        """Decide one request against every ``(key, params)`` rule; consume from all or none.

        Example::

            LocalGcra().check_many([("k", GcraParams(60, 1))]).remaining  # 0
        """
        now = self._clock()
        keys = [key for key, _ in rules]
        params = [p for _, p in rules]
        allowed, tats, waits = decide_many([self._tats.get(k) for k in keys], now, params, cost)
        if allowed:
            self._tats.update(zip(keys, tats, strict=True))
            self._sweep(now)
        return most_restrictive(
            [
                decision_of(p, allowed=allowed, held_us=t - now, retry_us=w, degraded=degraded)
                for p, t, w in zip(params, tats, waits, strict=True)
            ]
        )

    def __len__(self) -> int:
        return len(self._tats)

    def _sweep(self, now: int) -> None:
        if len(self._tats) < self._sweep_at:
            return
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        self._sweep_at = max(1024, 2 * len(self._tats))
