"""Usage: the gateway's events are counted once, and every unit reaches Stripe's meter
exactly once, also when the reporter dies between Stripe's answer and its own commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from velox_billing.stripe_api import call as real_call
from velox_billing.usage.report import UsageReporter
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import new_envelope, publish_now

from tests.conftest import Keys
from tests.services.billing.harness import Harness, eventually, harness

PERIOD = datetime.now(UTC).strftime("%Y-%m")


@pytest.fixture
async def h(
    component_app: Callable[[str], FastAPI],
    monkeypatch: pytest.MonkeyPatch,
    keys: Keys,
    forget_billing: Callable[..., None],
) -> AsyncIterator[Harness]:
    async with harness(component_app, monkeypatch, keys, forget_billing) as running:
        yield running


async def record(
    redis: Redis, account: str, operation: str, units: int, *, period: str = PERIOD
) -> Any:
    envelope = new_envelope(
        UsageRecorded(
            account_id=account,
            principal_id="key_test",
            operation=operation,
            units=units,
            period=period,
        ),
        account_id=account,
    )
    await publish_now(redis, envelope)
    return envelope


async def usage(h: Harness, account: str, period: str = PERIOD) -> dict[str, dict[str, Any]]:
    response = await h.billing.get(
        "/v1/billing/usage", params={"period": period}, headers=h.as_account(account)
    )
    assert response.status_code == 200, response.text
    return {i["operation"]: i for i in response.json()["items"]}


async def meter_total(h: Harness, event_name: str, customer: str) -> int:
    found = (await h.fake.get(f"/_fake/meters/{event_name}/events")).json()
    return sum(
        int(e["payload"]["value"])
        for e in found["data"]
        if e["payload"]["stripe_customer_id"] == customer
    )


async def test_usage_events_are_counted_once(h: Harness, redis: Redis) -> None:
    account, other = h.account(), h.account()
    first = await record(redis, account, "vin.decodes", 2)
    await record(redis, account, "vin.decodes", 3)
    await record(redis, other, "vin.decodes", 11)
    await publish_now(redis, first)  # a redelivered event

    async def counted() -> bool:
        line = (await usage(h, account)).get("vin.decodes")
        return bool(line is not None and line["units"] == 5)

    await eventually(counted, what="usage aggregated")
    line = (await usage(h, account))["vin.decodes"]
    assert line["included"] == 10 and line["overage_units"] == 0  # vin:free
    assert (await usage(h, other))["vin.decodes"]["units"] == 11  # tenants apart
    bad = await h.billing.get(
        "/v1/billing/usage", params={"period": "2026-13"}, headers=h.as_account(account)
    )
    assert bad.status_code == 422


class Crash(BaseException):
    """The process dying: nothing after it runs, the transaction is not committed."""


async def test_reports_reach_the_meter_exactly_once_across_a_crash(
    h: Harness, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = h.account()
    sub = await h.subscribe(account, "vin:pro")
    reporter = UsageReporter(h.app.state.billing)
    sent: list[str] = []
    for units in (4, 6):
        await record(redis, account, "vin.decodes", units)
    await record(redis, account, "trading.backtests", 3)

    async def ingested() -> bool:
        lines = await usage(h, account)
        return (
            lines.get("vin.decodes", {}).get("units") == 10
            and lines.get("trading.backtests", {}).get("units") == 3
        )

    await eventually(ingested, what="usage ingested")

    async def dying_call(awaitable: Any) -> Any:
        result = await real_call(awaitable)  # Stripe accepted the meter event ...
        sent.append("sent")
        if len(sent) == 2:
            raise Crash  # ... and the process died before stamping the batch as sent
        return result

    monkeypatch.setattr("velox_billing.usage.report.call", dying_call)
    with pytest.raises(Crash):
        await reporter.report_once()
    monkeypatch.setattr("velox_billing.usage.report.call", real_call)
    lines = await usage(h, account)
    assert lines["vin.decodes"]["reported_units"] == 10  # cut and committed before sending
    await reporter.report_once()  # the restarted reporter sends the whole batch again
    await record(redis, account, "vin.decodes", 5)

    async def more() -> bool:
        return bool((await usage(h, account))["vin.decodes"]["units"] == 15)

    await eventually(more, what="more usage")
    await reporter.report_once()
    await reporter.report_once()  # nothing left: no duplicate either
    stripe_customer = (await h.stripe.v1.subscriptions.retrieve_async(sub["id"])).customer
    assert await meter_total(h, "velox_vin_decodes", str(stripe_customer)) == 15
    assert await meter_total(h, "velox_trading_backtests", str(stripe_customer)) == 3
    lines = await usage(h, account)
    assert lines["vin.decodes"]["reported_units"] == 15
    assert lines["vin.decodes"]["included"] == 1000
