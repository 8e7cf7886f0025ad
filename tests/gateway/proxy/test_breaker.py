"""The circuit breaker's states, driven by a hand-turned clock."""

from __future__ import annotations

import pytest
from velox_gateway.proxy import BreakerState, CircuitBreaker, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def state(b: CircuitBreaker) -> BreakerState:
    # A function call, so that mypy does not narrow the property across state changes.
    return b.state


def breaker(clock: Clock, failures: int = 3, reset: float = 10.0) -> CircuitBreaker:
    return CircuitBreaker("svc", failure_threshold=failures, reset_seconds=reset, clock=clock)


def test_breaker_opens_only_after_consecutive_failures() -> None:
    clock = Clock()
    b = breaker(clock)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert state(b) is BreakerState.CLOSED
    b.record_failure()
    assert state(b) is BreakerState.OPEN


def test_open_breaker_fails_fast_with_the_seconds_left() -> None:
    clock = Clock()
    b = breaker(clock, failures=1, reset=10)
    b.record_failure()
    clock.now += 2.5
    with pytest.raises(CircuitOpen) as caught:
        b.acquire()
    assert caught.value.headers == {"Retry-After": "8"}
    assert caught.value.extensions == {"service": "svc"}


def test_half_open_breaker_admits_one_probe_and_closes_on_its_success() -> None:
    clock = Clock()
    b = breaker(clock, failures=1)
    b.record_failure()
    clock.now += 10
    assert state(b) is BreakerState.HALF_OPEN
    assert b.acquire() is True
    with pytest.raises(CircuitOpen):
        b.acquire()
    b.record_success()
    assert state(b) is BreakerState.CLOSED
    assert b.acquire() is False


def test_failed_probe_reopens_for_a_full_cool_down() -> None:
    clock = Clock()
    b = breaker(clock, failures=3, reset=10)
    for _ in range(3):
        b.record_failure()
    clock.now += 11
    assert b.acquire() is True
    b.record_failure()
    assert state(b) is BreakerState.OPEN
    clock.now += 9.9
    assert state(b) is BreakerState.OPEN
    clock.now += 0.1
    assert state(b) is BreakerState.HALF_OPEN


def test_released_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    b = breaker(clock, failures=1)
    b.record_failure()
    clock.now += 10
    assert b.acquire() is True
    b.release(probe=False)
    with pytest.raises(CircuitOpen):
        b.acquire()
    b.release(probe=True)
    assert b.acquire() is True


@pytest.mark.parametrize(
    ("status", "failed"),
    [(200, False), (404, False), (500, False), (502, True), (503, True), (504, True)],
)
def test_only_gateway_statuses_count_as_failures(status: int, failed: bool) -> None:
    b = breaker(Clock())
    b.record_failure()
    b.record_status(status)
    assert b.consecutive_failures == (2 if failed else 0)


def test_breaker_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker("svc", failure_threshold=0)
