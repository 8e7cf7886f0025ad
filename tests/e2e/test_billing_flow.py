"""Money through real processes: a free account upgrades through Stripe Checkout (the
loopback fake Stripe ``make run`` starts), the webhook comes back through the gateway, the
gateway allows the paid plan, a failed payment ends in free limits after the grace period,
a cancellation at period end ends the plan, and metered calls reach Stripe's meter once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import DbInfo, Servers
from tests.e2e.stack import (
    FAKE_STRIPE_OFFSET,
    Stack,
    running_stack,
    velox_cli,
    write_billing_policy,
    write_catalogue,
)

pytestmark = pytest.mark.e2e

GRACE_SECONDS = 3


def roomy_limits(families: dict[str, Any]) -> None:
    """Polled often here: a rate that never throttles the test itself."""
    free = families["billing"]["tiers"]["free"]
    free.update(rate_per_minute=60_000, burst=5_000, quotas={"billing.lookups": 1000})


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, database: DbInfo, servers: Servers
) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("billflow")
    plans = write_catalogue(tmp, roomy_limits)
    env = {
        "GATEWAY_ROUTE_POLICY_FILE": write_billing_policy(tmp),
        "BILLING_GRACE_PERIOD_SECONDS": str(GRACE_SECONDS),
        "BILLING_GRACE_CHECK_INTERVAL_SECONDS": "0.5",
        "BILLING_USAGE_REPORT_INTERVAL_SECONDS": "0.5",
        "BILLING_WORKER_POLL_SECONDS": "0.2",
    }
    async with running_stack(tmp, database, servers, plans, env) as running:
        yield running


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, what: str = ""
) -> float:
    """Wait until ``probe`` holds; returns the seconds it took."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < timeout:
        if await probe():
            return loop.time() - start
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


class Partner:
    """A partner account calling through the gateway with its API key."""

    def __init__(self, stack: Stack, made: dict[str, Any]) -> None:
        self.stack = stack
        self.account_id: str = made["account_id"]
        self.client = httpx.AsyncClient(
            base_url=stack.gateway, headers={"X-API-Key": made["api_key"]}, timeout=10
        )
        self.fake = httpx.AsyncClient(base_url=stack.url(FAKE_STRIPE_OFFSET), timeout=10)

    async def pro_feature(self) -> int:
        return (await self.client.get("/v1/billing/plans/vin")).status_code

    async def checkout(self, plan: str) -> dict[str, Any]:
        body: dict[str, Any] = {}

        async def created() -> bool:
            nonlocal body
            response = await self.client.post("/v1/billing/checkout-sessions", json={"plan": plan})
            body = response.json()
            if response.status_code == 409 and body["type"].endswith("/plan-not-synced"):
                return False  # billing is still syncing the catalogue into Stripe
            assert response.status_code == 201, response.text
            return True

        await eventually(created, what="checkout (plans synced)")
        return body

    async def subscription(self) -> dict[str, Any]:
        listed = await self.client.get("/v1/billing/subscriptions")
        assert listed.status_code == 200
        items: list[dict[str, Any]] = listed.json()["items"]
        assert len(items) == 1
        return items[0]

    async def control(self, path: str) -> None:
        response = await self.fake.post(path)
        assert response.status_code == 200, response.text

    async def close(self) -> None:
        await self.client.aclose()
        await self.fake.aclose()


@pytest.fixture
async def partner(stack: Stack) -> AsyncIterator[Partner]:
    made = await velox_cli(stack, "accounts", "create", "--name", "payer", "--plan", "billing:free")
    one = Partner(stack, made)
    yield one
    await one.close()


async def test_upgrade_payment_failure_grace_and_cancellation(partner: Partner) -> None:
    refused = await partner.client.get("/v1/billing/plans/vin")
    assert refused.status_code == 403
    assert refused.json()["required_plan"] == "billing:pro"

    session = await partner.checkout("billing:pro")
    assert session["url"] and session["id"].startswith("cs_")
    await partner.control(f"/_fake/checkout/sessions/{session['id']}/complete")

    async def allowed() -> bool:
        return await partner.pro_feature() == 200

    async def refused_again() -> bool:
        return await partner.pro_feature() == 403

    await eventually(allowed, what="pro feature after checkout")
    sub = await partner.subscription()
    assert (sub["plan"], sub["status"]) == ("billing:pro", "active")
    entitlements = (await partner.client.get("/v1/billing/entitlements")).json()
    billing = next(f for f in entitlements["families"] if f["family"] == "billing")
    assert billing["status"] == "active" and "billing.family" in billing["features"]
    me = (await partner.client.get("/v1/accounts/me")).json()
    assert {"family": "billing", "tier": "pro"}.items() <= next(
        p for p in me["plans"] if p["family"] == "billing"
    ).items()

    # A failed payment: the plan holds through the grace period, then free limits apply.
    await partner.control(f"/_fake/subscriptions/{sub['id']}/fail_payment")

    async def in_grace() -> bool:
        found = (await partner.client.get("/v1/billing/entitlements")).json()
        return any(f["status"] == "grace" for f in found["families"])

    await eventually(in_grace, what="grace after the failed payment")
    assert await partner.pro_feature() == 200
    await eventually(refused_again, timeout=GRACE_SECONDS + 15, what="free after grace")
    assert (await partner.subscription())["status"] == "past_due"

    # Paying the invoice brings the plan back.
    await partner.control(f"/_fake/subscriptions/{sub['id']}/pay")
    await eventually(allowed, what="pro again after paying")

    # Cancel at period end: still pro until the period ends, free afterwards.
    cancelled = await partner.client.post(f"/v1/billing/subscriptions/{sub['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["cancel_at_period_end"] is True
    assert await partner.pro_feature() == 200
    await partner.control(f"/_fake/subscriptions/{sub['id']}/advance")
    await eventually(refused_again, what="free after the period ended")
    assert (await partner.subscription())["status"] == "canceled"


async def test_metered_calls_reach_the_stripe_meter_exactly_once(
    partner: Partner, stack: Stack
) -> None:
    session = await partner.checkout("billing:pro")
    await partner.control(f"/_fake/checkout/sessions/{session['id']}/complete")

    async def subscribed() -> bool:
        return await partner.pro_feature() == 200

    await eventually(subscribed, what="pro after checkout")
    calls = 7
    for _ in range(calls):
        assert (await partner.client.get("/v1/billing/plans")).status_code == 200

    async def billed() -> bool:
        usage = (await partner.client.get("/v1/billing/usage")).json()
        line = next((i for i in usage["items"] if i["operation"] == "billing.lookups"), None)
        return line is not None and line["units"] == calls and line["reported_units"] == calls

    await eventually(billed, what="usage aggregated and reported")
    customer = (await partner.fake.get("/_fake/meters/velox_billing_lookups/events")).json()
    mine = [
        e for e in customer["data"] if e["payload"]["stripe_customer_id"] == session["customer"]
    ]
    assert sum(int(e["payload"]["value"]) for e in mine) == calls
