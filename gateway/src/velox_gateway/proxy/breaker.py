"""A circuit breaker per service: fail fast while a service is down, probe it to recover.

Closed: calls pass; ``failure_threshold`` consecutive failures open it. Open: calls fail
at once with :class:`CircuitOpen` (with a ``Retry-After``) for ``reset_seconds``. Then
half-open: one probe passes while others still fail fast; its success closes the breaker,
its failure opens it again for another cool-down.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import StrEnum

from velox_gateway.proxy.errors import CircuitOpen

__all__ = ["FAILURE_STATUSES", "BreakerState", "CircuitBreaker"]

# Answers that mean "the service (or what is in front of it) is not coping"; a 500 is an
# application error and says nothing about availability.
FAILURE_STATUSES = frozenset({502, 503, 504})


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """The breaker of one service. Not thread-safe; one event loop per process owns it."""

    def __init__(
        self,
        service: str,
        *,
        failure_threshold: int = 5,
        reset_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or reset_seconds <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_seconds > 0")
        self.service = service
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker turns half-open once its cool-down is over)."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_after(self) -> int:
        """Whole seconds until a call may pass again (at least 1)."""
        if self._opened_at is None:
            return 1
        remaining = self.reset_seconds - (self._clock() - self._opened_at)
        return max(1, math.ceil(remaining))

    def acquire(self) -> bool:
        """Let one call through or raise :class:`CircuitOpen`; True when it is the probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        raise CircuitOpen(
            f"The {self.service} service is failing; the gateway is not calling it for now.",
            headers={"Retry-After": str(self.retry_after())},
            extensions={"service": self.service},
        )

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._probing = False

    def record_status(self, status_code: int) -> None:
        """Count an upstream answer: 502/503/504 are failures, anything else a success."""
        if status_code in FAILURE_STATUSES:
            self.record_failure()
        else:
            self.record_success()

    def release(self, probe: bool) -> None:
        """End a call that says nothing about the service (the client went away, 413...)."""
        if probe:
            self._probing = False
