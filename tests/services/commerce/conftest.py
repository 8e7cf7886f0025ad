"""commerce test helpers: the real app on a loopback port beside a loopback Stripe that
sends it signed webhooks, identities per tenant, and cleanup of every row a test made."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import stripe
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_devstack.embedded import free_port
from velox_devstack.fakestripe import create_app as create_fake_stripe
from velox_shared.db import create_engine

from tests.conftest import DbInfo, Keys, loopback

STRIPE_KEY = "sk_test_commerce"
WEBHOOK_SECRET = "whsec_commerce_test"
WEBHOOK_PATH = "/v1/commerce/payments/stripe/webhook"
STREAM = "velox:events:commerce"
# Tables holding an account's rows that do not go with its stores.
_ACCOUNT_TABLES = ("payments", "idempotent_requests")


@dataclass
class Shop:
    """The running commerce app, its Stripe and a client per tenant."""

    url: str
    stripe_url: str
    keys: Keys
    made: list[str] = field(default_factory=list)
    clients: list[httpx.AsyncClient] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    stripe_http: list[stripe.HTTPXClient] = field(default_factory=list)

    def account(self, name: str, unique: str) -> str:
        self.made.append(f"acc_{unique}_{name}")
        return self.made[-1]

    def client(self, account: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            base_url=self.url,
            headers={"X-Velox-Identity": self.keys.token("commerce", account=account)},
            timeout=30.0,
        )
        self.clients.append(client)
        return client

    def stripe(self) -> stripe.StripeClient:
        """A Stripe SDK client on the loopback Stripe (closed with the shop)."""
        http = stripe.HTTPXClient()
        self.stripe_http.append(http)
        return stripe.StripeClient(
            STRIPE_KEY,
            base_addresses={"api": self.stripe_url, "files": self.stripe_url},
            http_client=http,
        )

    async def authorize(self, intent_id: str, card: str = "pm_card_visa") -> dict[str, Any]:
        """What Stripe.js does in the buyer's browser: confirm the intent with a card."""
        async with httpx.AsyncClient(base_url=self.stripe_url) as http:
            answer = await http.post(
                f"/v1/payment_intents/{intent_id}/confirm",
                data={"payment_method": card},
                headers={"Authorization": f"Bearer {STRIPE_KEY}"},
            )
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
async def commerce_db(database: DbInfo) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url_for("commerce"), schema="commerce")
    yield engine
    await engine.dispose()


@asynccontextmanager
async def running_shop(
    build: Callable[[str], FastAPI], keys: Keys, monkeypatch: pytest.MonkeyPatch, **env: str
) -> AsyncIterator[Shop]:
    port = free_port()
    hook = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    fake = create_fake_stripe(api_key=STRIPE_KEY, webhook_url=hook, webhook_secret=WEBHOOK_SECRET)
    async with loopback(fake) as stripe_url:
        monkeypatch.setenv("STRIPE_API_KEY", STRIPE_KEY)
        monkeypatch.setenv("STRIPE_API_BASE", stripe_url)
        monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        monkeypatch.setenv("STRIPE_MAX_RETRIES", "0")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        app = build("commerce")
        async with loopback(app, port=port) as url:
            shop = Shop(url=url, stripe_url=stripe_url, keys=keys)
            try:
                yield shop
            finally:
                for client in shop.clients:
                    await client.aclose()
                for sdk_http in shop.stripe_http:
                    await sdk_http.close_async()  # type: ignore[no-untyped-call]
                async with httpx.AsyncClient(base_url=stripe_url) as http:
                    sent = (await http.get("/_fake/deliveries")).json()["data"]
                shop.events = sorted({d["event_id"] for d in sent})


@pytest.fixture
async def shop(
    component_app: Callable[[str], FastAPI],
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    commerce_db: AsyncEngine,
    redis: Redis,
) -> AsyncIterator[Shop]:
    async with running_shop(component_app, keys, monkeypatch) as running:
        yield running
    await forget(commerce_db, redis, running.made, running.events)


async def forget(engine: AsyncEngine, redis: Redis, accounts: list[str], events: list[str]) -> None:
    """Delete every row and event of ``accounts`` (stores take their rows with them)."""
    if not accounts and not events:
        return
    async with engine.begin() as conn:
        await conn.execute(
            text("DELETE FROM commerce.stores WHERE account_id = ANY(:a)"), {"a": accounts}
        )
        for table in _ACCOUNT_TABLES:
            await conn.execute(
                text(f"DELETE FROM commerce.{table} WHERE account_id = ANY(:a)"), {"a": accounts}
            )
        await conn.execute(
            text("DELETE FROM commerce.outbox WHERE envelope::jsonb ->> 'account_id' = ANY(:a)"),
            {"a": accounts},
        )
        if events:
            await conn.execute(
                text("DELETE FROM commerce.stripe_events WHERE id = ANY(:e)"), {"e": events}
            )
    entries = await redis.xrange(STREAM)
    mine: list[bytes | str] = []
    for entry_id, fields in entries or []:
        values = [v for v in (fields or {}).values() if isinstance(v, bytes)]
        if any(a.encode() in v for v in values for a in accounts):
            mine.append(str(entry_id) if not isinstance(entry_id, bytes) else entry_id)
    if mine:
        await redis.xdel(STREAM, *mine)
