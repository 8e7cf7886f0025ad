"""Checkout, webhooks, entitlements, plan changes, cancellation, failed payments and
invoices, against the loopback fake Stripe with the real SDK and signed webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from velox_shared.contracts.billing import AccountPlansChanged
from velox_shared.events import EventEnvelope, stream_for

from tests.conftest import Keys
from tests.services.billing.harness import Harness, eventually, harness


@pytest.fixture
async def h(
    component_app: Callable[[str], FastAPI],
    monkeypatch: pytest.MonkeyPatch,
    keys: Keys,
    forget_billing: Callable[..., None],
) -> AsyncIterator[Harness]:
    async with harness(
        component_app, monkeypatch, keys, forget_billing, BILLING_GRACE_PERIOD_SECONDS="1"
    ) as running:
        yield running


async def plan_events(redis: Redis, account: str) -> list[AccountPlansChanged]:
    entries: Any = await redis.xrevrange(stream_for(AccountPlansChanged.event_type), count=2000)
    found = []
    for _, fields in reversed(entries):
        envelope = EventEnvelope.model_validate_json(fields[b"envelope"])
        if envelope.account_id == account:
            found.append(envelope.parse(AccountPlansChanged))
    return found


async def test_checkout_to_entitlement_and_a_plans_event(h: Harness, redis: Redis) -> None:
    account = h.account()
    response = await h.billing.post(
        "/v1/billing/checkout-sessions",
        json={"plan": "vin:pro", "success_url": "https://shop.example/ok"},
        headers=h.as_account(account),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"].startswith("cs_") and body["url"] and body["trial_days"] == 7
    assert (await h.entitlement(account, "vin"))["status"] == "default"
    await h.control(f"/_fake/checkout/sessions/{body['id']}/complete")

    async def trialing() -> bool:
        return bool((await h.entitlement(account, "vin"))["status"] == "trialing")

    await eventually(trialing, what="trialing entitlement")
    vin = await h.entitlement(account, "vin")
    assert vin["plan"] == "vin:pro" and "vin.packages" in vin["features"]

    async def published() -> bool:
        return any(e.plans == {"vin": "pro"} for e in await plan_events(redis, account))

    await eventually(published, what="billing.plans.changed on the stream")

    async def features() -> bool:
        found = await h.billing.get("/v1/billing/entitlements", headers=h.as_account(account))
        return "vin.packages" in found.json()["stripe_features"]

    await eventually(features, what="Stripe's active entitlements")


async def test_one_customer_per_account_even_for_concurrent_first_calls(h: Harness) -> None:
    account = h.account()
    headers = h.as_account(account)
    responses = await asyncio.gather(
        *(
            h.billing.post("/v1/billing/checkout-sessions", json={"plan": plan}, headers=headers)
            for plan in ("vin:pro", "trading:pro", "commerce:starter")
        )
    )
    assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
    assert len({r.json()["customer"] for r in responses}) == 1


async def test_checkout_refusals_and_tenant_isolation(h: Harness) -> None:
    account, other = h.account(), h.account()
    sub = await h.subscribe(account, "trading:pro")
    again = await h.billing.post(
        "/v1/billing/checkout-sessions",
        json={"plan": "trading:enterprise"},
        headers=h.as_account(account),
    )
    assert again.status_code == 409
    assert again.json()["subscription_id"] == sub["id"]
    free = await h.billing.post(
        "/v1/billing/checkout-sessions", json={"plan": "vin:free"}, headers=h.as_account(account)
    )
    unknown = await h.billing.post(
        "/v1/billing/checkout-sessions", json={"plan": "vin:gold"}, headers=h.as_account(account)
    )
    malformed = await h.billing.post(
        "/v1/billing/checkout-sessions", json={"plan": "VIN PRO"}, headers=h.as_account(account)
    )
    assert free.status_code == unknown.status_code == malformed.status_code == 422
    assert free.json()["type"].endswith("/plan-not-sold")
    # Another account sees none of it and cannot touch it.
    theirs = await h.billing.get("/v1/billing/subscriptions", headers=h.as_account(other))
    assert theirs.json()["items"] == []
    for action in ("cancel", "resume"):
        stolen = await h.billing.post(
            f"/v1/billing/subscriptions/{sub['id']}/{action}", headers=h.as_account(other)
        )
        assert stolen.status_code == 404
    changed = await h.billing.post(
        f"/v1/billing/subscriptions/{sub['id']}/change",
        json={"plan": "trading:enterprise"},
        headers=h.as_account(other),
    )
    assert changed.status_code == 404
    assert (await h.billing.get("/v1/billing/invoices", headers=h.as_account(other))).json()[
        "items"
    ] == []


async def test_plan_change_cancel_and_resume(h: Harness) -> None:
    account = h.account()
    headers = h.as_account(account)
    sub = await h.subscribe(account, "vin:pro")
    changed = await h.billing.post(
        f"/v1/billing/subscriptions/{sub['id']}/change",
        json={"plan": "vin:enterprise"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["plan"] == "vin:enterprise"
    assert (await h.entitlement(account, "vin"))["plan"] == "vin:enterprise"
    other_family = await h.billing.post(
        f"/v1/billing/subscriptions/{sub['id']}/change",
        json={"plan": "trading:pro"},
        headers=headers,
    )
    assert other_family.status_code == 422
    cancelled = await h.billing.post(
        f"/v1/billing/subscriptions/{sub['id']}/cancel", headers=headers
    )
    assert cancelled.json()["cancel_at_period_end"] is True
    assert (await h.entitlement(account, "vin"))["plan"] == "vin:enterprise"  # until period end
    resumed = await h.billing.post(f"/v1/billing/subscriptions/{sub['id']}/resume", headers=headers)
    assert resumed.json()["cancel_at_period_end"] is False
    await h.billing.post(f"/v1/billing/subscriptions/{sub['id']}/cancel", headers=headers)
    await h.control(f"/_fake/subscriptions/{sub['id']}/advance")

    async def ended() -> bool:
        return bool((await h.entitlement(account, "vin"))["status"] == "default")

    await eventually(ended, what="free after the period ended")
    listed = await h.billing.get("/v1/billing/subscriptions", headers=headers)
    assert listed.json()["items"][0]["status"] == "canceled"


async def test_failed_payment_keeps_the_plan_for_the_grace_period_then_drops_it(
    h: Harness,
) -> None:
    account = h.account()
    sub = await h.subscribe(account, "trading:pro")
    await h.control(f"/_fake/subscriptions/{sub['id']}/advance")  # the trial ends, it pays
    await h.control(f"/_fake/subscriptions/{sub['id']}/fail_payment")

    async def status_is(expected: str) -> bool:
        return bool((await h.entitlement(account, "trading"))["status"] == expected)

    await eventually(lambda: status_is("grace"), what="grace")
    await eventually(lambda: status_is("default"), what="default after a 1 s grace")
    await h.control(f"/_fake/subscriptions/{sub['id']}/pay")
    await eventually(lambda: status_is("active"), what="active after paying")


async def test_duplicate_and_out_of_order_webhooks_converge(h: Harness) -> None:
    account = h.account()
    sub = await h.subscribe(account, "vin:pro")
    await h.billing.post(
        f"/v1/billing/subscriptions/{sub['id']}/cancel", headers=h.as_account(account)
    )
    await h.control(f"/_fake/subscriptions/{sub['id']}/advance")

    async def ended() -> bool:
        return bool((await h.entitlement(account, "vin"))["status"] == "default")

    await eventually(ended, what="cancelled")
    await h.deliveries_settled()
    # Stripe re-sends the old "created" event (late, out of order) and the deletion again.
    events = await h.stripe.v1.events.list_async(params={"limit": 100})
    mine = [
        e
        for e in events.data
        if e.type in ("customer.subscription.created", "customer.subscription.deleted")
        and e.to_dict()["data"]["object"]["id"] == sub["id"]
    ]
    assert len(mine) == 2
    for event in mine:
        await h.control(f"/_fake/events/{event.id}/resend")
    await h.deliveries_settled()
    await asyncio.sleep(0.5)  # give the processor a round
    assert (await h.entitlement(account, "vin"))["status"] == "default"


async def test_invoices_upcoming_invoice_and_portal(h: Harness) -> None:
    account = h.account()
    headers = h.as_account(account)
    empty = await h.billing.get("/v1/billing/invoices", headers=headers)
    assert empty.status_code == 200 and empty.json()["items"] == []
    sub = await h.subscribe(account, "trading:pro")
    await h.control(f"/_fake/subscriptions/{sub['id']}/advance")
    invoices = await h.billing.get("/v1/billing/invoices", params={"limit": 1}, headers=headers)
    assert invoices.status_code == 200
    page = invoices.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    older = await h.billing.get(
        "/v1/billing/invoices", params={"cursor": page["next_cursor"]}, headers=headers
    )
    assert older.json()["items"]
    upcoming = await h.billing.get(
        f"/v1/billing/subscriptions/{sub['id']}/upcoming-invoice", headers=headers
    )
    assert upcoming.status_code == 200, upcoming.text
    assert upcoming.json()["amount_due"] == 2900
    portal = await h.billing.post(
        "/v1/billing/portal-sessions",
        json={"return_url": "https://app.example/billing"},
        headers=headers,
    )
    assert portal.status_code == 201 and portal.json()["url"]
    bad = await h.billing.post(
        "/v1/billing/portal-sessions", json={"return_url": "not a url"}, headers=headers
    )
    assert bad.status_code == 422
