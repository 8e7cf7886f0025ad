"""GCRA arithmetic and the in-process limiter, on a clock the tests move by hand."""

from __future__ import annotations

import pytest
from velox_gateway.limits.gcra import (
    GcraParams,
    LocalGcra,
    RateDecision,
    decide_many,
    most_restrictive,
)

SECOND = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 1_000 * SECOND

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += round(seconds * SECOND)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def local(clock: Clock) -> LocalGcra:
    return LocalGcra(clock=clock)


def test_params_space_requests_evenly_and_round_towards_slower() -> None:
    assert GcraParams(per_minute=600, burst=10).emission_us == 100_000
    assert GcraParams(per_minute=600, burst=10).tolerance_us == 1_000_000
    assert GcraParams(per_minute=7, burst=1).emission_us == 8_571_429  # 8_571_428.57...


@pytest.mark.parametrize(("per_minute", "burst"), [(0, 1), (1, 0), (60_000_001, 1)])
def test_params_refuse_rates_that_cannot_work(per_minute: int, burst: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        GcraParams(per_minute, burst)


def test_a_fresh_key_admits_exactly_its_burst(local: LocalGcra) -> None:
    rule = [("k", GcraParams(per_minute=60, burst=3))]
    decisions = [local.check_many(rule) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[0] == RateDecision(True, 60, 2, reset_after=1.0, retry_after=0.0)
    assert decisions[3] == RateDecision(False, 60, 0, reset_after=3.0, retry_after=1.0)


def test_capacity_returns_one_slot_per_emission_never_a_second_burst(
    local: LocalGcra, clock: Clock
) -> None:
    rule = [("k", GcraParams(per_minute=600, burst=10))]
    while local.check_many(rule).allowed:
        pass
    clock.advance(0.25)  # two and a half emissions
    assert [local.check_many(rule).allowed for _ in range(10)].count(True) == 2
    denied = local.check_many(rule)
    assert denied.retry_after == pytest.approx(0.05)
    clock.advance(1.0)  # the whole tolerance: the full burst is back, and no more
    assert [local.check_many(rule).allowed for _ in range(12)].count(True) == 10


def test_a_costly_request_needs_that_many_slots(local: LocalGcra) -> None:
    rule = [("k", GcraParams(per_minute=60, burst=3))]
    assert local.check_many(rule, cost=2).remaining == 1
    denied = local.check_many(rule, cost=2)
    assert (denied.allowed, denied.remaining, denied.retry_after) == (False, 1, 1.0)
    assert local.check_many(rule, cost=1).allowed


def test_several_limits_consume_all_or_none(local: LocalGcra) -> None:
    per_key = ("key", GcraParams(per_minute=60, burst=5))
    per_account = ("account", GcraParams(per_minute=30, burst=2))
    both = [per_key, per_account]
    assert [local.check_many(both).allowed for _ in range(3)] == [True, True, False]
    denied = local.check_many(both)
    assert (denied.limit, denied.retry_after) == (30, 2.0)  # the account's limit decided
    assert local.check_many([per_key]).remaining == 2  # 5 - 2 admitted - this one


def test_decide_many_leaves_state_alone_when_denied() -> None:
    params = [GcraParams(60, 1), GcraParams(60, 5)]
    assert decide_many([None, None], 0, params, 1) == (True, [SECOND, SECOND], [0, 0])
    assert decide_many([SECOND, SECOND], 0, params, 1) == (False, [SECOND, SECOND], [SECOND, 0])


def test_the_reported_decision_is_the_most_restrictive() -> None:
    roomy = RateDecision(True, 600, 50, reset_after=1.0, retry_after=0.0)
    tight = RateDecision(True, 60, 2, reset_after=3.0, retry_after=0.0)
    waiting = RateDecision(False, 30, 0, reset_after=4.0, retry_after=2.0)
    assert most_restrictive([roomy, tight]) is tight
    assert most_restrictive([roomy, waiting, tight]) is waiting
    with pytest.raises(ValueError, match="no decisions"):
        most_restrictive([])


def test_keys_back_to_full_capacity_are_forgotten(local: LocalGcra, clock: Clock) -> None:
    rule = GcraParams(per_minute=60, burst=1)
    for wave in range(10):
        for index in range(1_000):
            local.check_many([(f"w{wave}:{index}", rule)])
        clock.advance(2.0)  # every key of this wave is back to full capacity
    assert len(local) <= 2_048  # not 10_000: memory follows the keys still held back
    assert local.check_many([("w0:0", rule)]).allowed
