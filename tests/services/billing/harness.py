"""Billing served over loopback HTTP beside the loopback fake Stripe, webhooks included."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from velox_devstack.embedded import free_port
from velox_devstack.fakestripe import create_app as create_fake_stripe

from tests.conftest import Keys, loopback
from tests.services.billing.conftest import WEBHOOK_SECRET

API_KEY = "sk_test_velox"


@dataclass
class Harness:
    billing: httpx.AsyncClient  # billing's own API (identity tokens added per call)
    fake: httpx.AsyncClient  # the fake Stripe's control endpoints
    stripe: stripe.StripeClient
    keys: Keys
    forget: Callable[..., None]
    app: FastAPI

    def account(self) -> str:
        account = "acc_" + secrets.token_hex(8)
        self.forget(account=account)
        return account

    def as_account(self, account: str) -> dict[str, str]:
        return {"X-Velox-Identity": self.keys.token("billing", account=account)}

    async def control(self, path: str, **data: str) -> dict[str, Any]:
        response = await self.fake.post(path, data=data or None)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def entitlement(self, account: str, family: str) -> dict[str, Any]:
        response = await self.billing.get(
            "/v1/billing/entitlements", headers=self.as_account(account)
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = next(
            f for f in response.json()["families"] if f["family"] == family
        )
        return found

    async def subscribe(self, account: str, plan: str) -> dict[str, Any]:
        """Checkout and pay for ``plan``; returns the subscription once billing has it."""
        response = await self.billing.post(
            "/v1/billing/checkout-sessions", json={"plan": plan}, headers=self.as_account(account)
        )
        assert response.status_code == 201, response.text
        await self.control(f"/_fake/checkout/sessions/{response.json()['id']}/complete")
        family = plan.partition(":")[0]

        async def stored() -> bool:
            return bool((await self.entitlement(account, family))["plan"] == plan)

        await eventually(stored, what=f"{plan} after checkout")
        listed = await self.billing.get(
            "/v1/billing/subscriptions", headers=self.as_account(account)
        )
        sub: dict[str, Any] = next(s for s in listed.json()["items"] if s["plan"] == plan)
        return sub

    async def deliveries_settled(self) -> None:
        async def settled() -> bool:
            found = (await self.fake.get("/_fake/deliveries")).json()
            items = found["data"] if isinstance(found, dict) else found
            return all(d.get("status_code") == 200 for d in items)

        await eventually(settled, what="webhook deliveries")


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, what: str = ""
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await probe():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


@asynccontextmanager
async def closing_async(http: stripe.HTTPXClient) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]


@asynccontextmanager
async def harness(
    build: Callable[[str], FastAPI],
    monkeypatch: pytest.MonkeyPatch,
    keys: Keys,
    forget: Callable[..., None],
    **settings: str,
) -> AsyncIterator[Harness]:
    port = free_port()
    fake_app = create_fake_stripe(
        api_key=API_KEY,
        webhook_url=f"http://127.0.0.1:{port}/v1/billing/webhooks/stripe",
        webhook_secret=WEBHOOK_SECRET,
    )
    async with loopback(fake_app) as fake_url:
        env = {
            "STRIPE_API_KEY": API_KEY,
            "STRIPE_API_BASE": fake_url,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "BILLING_SYNC_PLANS_ON_START": "true",
            "BILLING_WORKER_POLL_SECONDS": "0.1",
            "BILLING_GRACE_CHECK_INTERVAL_SECONDS": "0.2",
            "BILLING_USAGE_REPORT_INTERVAL_SECONDS": "3600",
            **settings,
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = build("billing")
        http = stripe.HTTPXClient()
        client = stripe.StripeClient(API_KEY, base_addresses={"api": fake_url}, http_client=http)
        async with (
            closing_async(http),
            loopback(app, port=port) as billing_url,
            httpx.AsyncClient(base_url=billing_url, timeout=10) as billing,
            httpx.AsyncClient(base_url=fake_url, timeout=10) as fake,
        ):
            probe = Harness(billing, fake, client, keys, forget, app)

            async def synced() -> bool:
                listed = await client.v1.prices.list_async(
                    params={"lookup_keys": ["velox_trading_enterprise_monthly"]}
                )
                return bool(listed.data)

            await eventually(synced, what="plans synced on start")
            yield probe
