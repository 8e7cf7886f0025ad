"""commerce test helpers: the real app on a loopback port beside a loopback Stripe that
sends it signed webhooks (one pair per session; ``running_shop`` starts a private pair
with other settings), identities per tenant, and cleanup of every row a test made."""

from __future__ import annotations

import importlib
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

from tests.conftest import TLS, DbInfo, Keys, Servers, component_environment, loopback

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

    def client(
        self, account: str, *, limits: tuple[tuple[str, int], ...] = ()
    ) -> httpx.AsyncClient:
        """A client calling as ``account`` (on a plan with ``limits``, unlimited if none)."""
        token = self.keys.token("commerce", account=account, limits=limits)
        client = httpx.AsyncClient(
            base_url=self.url,
            verify=TLS,
            headers={"X-Velox-Identity": token},
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

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        for sdk_http in self.stripe_http:
            await sdk_http.close_async()  # type: ignore[no-untyped-call]

    async def authorize(self, intent_id: str, card: str = "pm_card_visa") -> dict[str, Any]:
        """What Stripe.js does in the buyer's browser: confirm the intent with a card."""
        async with httpx.AsyncClient(base_url=self.stripe_url, verify=TLS) as http:
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
                await shop.close()
                shop.events = await _deliveries(stripe_url)


@dataclass(frozen=True)
class ShopServer:
    url: str
    stripe_url: str


async def _deliveries(stripe_url: str) -> list[str]:
    """Ids of the events the loopback Stripe has sent so far, in order."""
    async with httpx.AsyncClient(base_url=stripe_url, verify=TLS) as http:
        sent = (await http.get("/_fake/deliveries")).json()["data"]
    return [d["event_id"] for d in sent]


@pytest.fixture(scope="session")
async def shop_server(database: DbInfo, servers: Servers, keys: Keys) -> AsyncIterator[ShopServer]:
    """One commerce app and one loopback Stripe for the session (building and starting
    them per test cost more than most tests); tests keep apart by account."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    fake = create_fake_stripe(api_key=STRIPE_KEY, webhook_url=hook, webhook_secret=WEBHOOK_SECRET)
    async with loopback(fake) as stripe_url:
        env = component_environment("commerce", database, servers, keys)
        env |= {
            "STRIPE_API_KEY": STRIPE_KEY,
            "STRIPE_API_BASE": stripe_url,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_MAX_RETRIES": "0",
            # Partner webhooks retried within seconds, not hours (webhooks/ tests).
            "COMMERCE_WEBHOOK_RETRY_SCHEDULE": "[0.2, 0.4, 0.8]",
            "COMMERCE_WEBHOOK_POLL_SECONDS": "0.1",
        }
        with pytest.MonkeyPatch.context() as patch:
            # Read while the app is built; restored before any other test runs.
            for name, value in env.items():
                patch.setenv(name, value)
            app = importlib.import_module("velox_commerce.app").create_app()
        async with loopback(app, port=port) as url:
            yield ShopServer(url=url, stripe_url=stripe_url)
        events = await _deliveries(stripe_url)
    engine = create_engine(database.url_for("commerce"), schema="commerce")
    try:
        async with engine.begin() as conn:  # late deliveries of the session's events
            await conn.execute(
                text("DELETE FROM commerce.stripe_events WHERE id = ANY(:e)"), {"e": events}
            )
    finally:
        await engine.dispose()


@pytest.fixture
async def shop(
    shop_server: ShopServer, keys: Keys, commerce_db: AsyncEngine, redis: Redis
) -> AsyncIterator[Shop]:
    before = len(await _deliveries(shop_server.stripe_url))
    running = Shop(url=shop_server.url, stripe_url=shop_server.stripe_url, keys=keys)
    try:
        yield running
    finally:
        await running.close()
        running.events = (await _deliveries(shop_server.stripe_url))[before:]
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
