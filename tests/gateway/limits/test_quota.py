"""Monthly quotas: exact under concurrency, per UTC month, counted when unlimited, fail closed."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from redis.asyncio import Redis
from velox_gateway.limits import QuotaCounter, QuotaUnavailable, quota_period

from tests.gateway.limits.clients import warm

# Months far ahead, so the keys' expiry (35 days after the month) is in the future.
JAN_END = datetime(2099, 1, 31, 23, 59, 59, tzinfo=UTC)
FEB_START = datetime(2099, 2, 1, tzinfo=UTC)


async def test_concurrent_consumes_never_pass_the_limit(
    quotas: QuotaCounter, wide_redis: Redis
) -> None:
    await warm(wide_redis, 200)
    decisions = await asyncio.gather(
        *(quotas.consume("acc", "vin.decode", limit=50) for _ in range(200))
    )
    assert sum(d.allowed for d in decisions) == 50
    assert sorted(d.used for d in decisions if d.allowed) == list(range(1, 51))
    assert {(d.used, d.remaining) for d in decisions if not d.allowed} == {(50, 0)}
    assert await quotas.usage("acc") == {"vin.decode": 50}


async def test_a_denied_call_charges_nothing(quotas: QuotaCounter) -> None:
    charged = [await quotas.consume("acc", "export", limit=10, units=4) for _ in range(3)]
    assert [(d.allowed, d.used, d.remaining) for d in charged] == [
        (True, 4, 6),
        (True, 8, 2),
        (False, 8, 2),
    ]
    last = await quotas.consume("acc", "export", limit=10, units=2)
    assert (last.allowed, last.used, last.remaining) == (True, 10, 0)


async def test_unlimited_operations_are_still_counted(quotas: QuotaCounter) -> None:
    decisions = [await quotas.consume("acc", "price.quote", limit=None) for _ in range(3)]
    assert all(d.allowed and d.limit is None and d.remaining is None for d in decisions)
    assert decisions[-1].used == 3
    assert await quotas.usage("acc") == {"price.quote": 3}


async def test_usage_reports_every_operation_of_one_account(quotas: QuotaCounter) -> None:
    await quotas.consume("acc", "a", limit=None, units=2)
    await quotas.consume("acc", "b", limit=5)
    await quotas.consume("other", "a", limit=None)
    assert await quotas.usage("acc") == {"a": 2, "b": 1}
    assert await quotas.usage("nobody") == {}


async def test_each_utc_month_counts_afresh(
    quotas: QuotaCounter, redis: Redis, unique: str
) -> None:
    january = await quotas.consume("acc", "op", limit=1, now=JAN_END)
    assert not (await quotas.consume("acc", "op", limit=1, now=JAN_END)).allowed
    february = await quotas.consume("acc", "op", limit=1, now=FEB_START)
    assert (january.period, january.resets_at) == ("2099-01", FEB_START)
    assert (february.allowed, february.used, february.period) == (True, 1, "2099-02")
    assert await quotas.usage("acc", now=JAN_END) == {"op": 1}
    assert await quotas.usage("acc", now=FEB_START) == {"op": 1}
    # The month's hash outlives it by 35 days, then goes.
    expected = (FEB_START + timedelta(days=35)).timestamp() - time.time()
    assert abs(await redis.ttl(f"t{unique}:q:acc:2099-01") - expected) < 60


async def test_a_month_is_the_utc_one_whatever_the_offset(quotas: QuotaCounter) -> None:
    new_year_in_utc = datetime(2099, 12, 31, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    decision = await quotas.consume("acc", "op", limit=None, now=new_year_in_utc)
    assert (decision.period, decision.resets_at) == ("2100-01", datetime(2100, 2, 1, tzinfo=UTC))


async def test_refunds_give_units_back_to_the_month_charged(quotas: QuotaCounter) -> None:
    charged = await quotas.consume("acc", "op", limit=3, units=3, now=JAN_END)
    assert not (await quotas.consume("acc", "op", limit=3, now=JAN_END)).allowed
    assert await quotas.refund("acc", "op", units=2, period=charged.period) == 1
    assert (await quotas.consume("acc", "op", limit=3, now=JAN_END)).used == 2
    assert await quotas.refund("acc", "op", units=10, period=charged.period) == 0  # not below
    assert await quotas.refund("acc", "never-used", period=charged.period) == 0


@pytest.mark.parametrize(
    ("now", "period", "resets_at"),
    [
        (datetime(2025, 1, 1, tzinfo=UTC), "2025-01", datetime(2025, 2, 1, tzinfo=UTC)),
        (
            datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
            "2025-12",
            datetime(2026, 1, 1, tzinfo=UTC),
        ),
        (
            datetime(2025, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            "2025-02",
            datetime(2025, 3, 1, tzinfo=UTC),
        ),
    ],
)
def test_quota_periods_are_utc_calendar_months(
    now: datetime, period: str, resets_at: datetime
) -> None:
    assert quota_period(now) == (period, resets_at)


def test_quota_periods_refuse_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        quota_period(datetime(2025, 1, 1))


async def test_bad_amounts_are_refused(quotas: QuotaCounter) -> None:
    with pytest.raises(ValueError, match="units"):
        await quotas.consume("acc", "op", limit=5, units=0)
    with pytest.raises(ValueError, match="limit"):
        await quotas.consume("acc", "op", limit=-1)
    with pytest.raises(ValueError, match="units"):
        await quotas.refund("acc", "op", units=0)


async def test_unreachable_redis_fails_closed(dead_redis: Redis) -> None:
    quotas = QuotaCounter(dead_redis)
    with pytest.raises(QuotaUnavailable) as caught:
        await quotas.consume("acc", "op", limit=None)
    assert caught.value.status == 503
    assert caught.value.problem == "quota-unavailable"
    with pytest.raises(QuotaUnavailable):
        await quotas.usage("acc")
    with pytest.raises(QuotaUnavailable):
        await quotas.refund("acc", "op")
