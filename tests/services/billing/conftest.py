"""Billing test helpers: Stripe-style signatures and cleanup of what a test stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from velox_shared.db import create_engine

from tests.conftest import DbInfo

WEBHOOK_SECRET = "whsec_test_" + "a" * 24


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, *, at: int | None = None) -> str:
    """A ``Stripe-Signature`` header exactly as Stripe builds it."""
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def stripe_event(event_id: str, kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
            "livemode": False,
        }
    ).encode()


@pytest.fixture
async def billing_db(database: DbInfo) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database.url_for("billing"), schema="billing")
    yield engine
    await engine.dispose()


TENANT_TABLES = (
    "meter_reports",
    "usage_totals",
    "stripe_features",
    "entitlements",
    "subscriptions",
    "customers",
)


@pytest.fixture
async def forget_billing(billing_db: AsyncEngine) -> AsyncIterator[Callable[..., None]]:
    """Register accounts and webhook event ids to delete when the test ends."""
    accounts: list[str] = []
    event_ids: list[str] = []

    def register(*, account: str | None = None, event: str | None = None) -> None:
        if account:
            accounts.append(account)
        if event:
            event_ids.append(event)

    yield register
    async with billing_db.begin() as conn:
        for table in TENANT_TABLES:
            await conn.execute(
                text(f"DELETE FROM billing.{table} WHERE account_id = ANY(:a)"), {"a": accounts}
            )
        await conn.execute(
            text("DELETE FROM billing.webhook_events WHERE id = ANY(:e)"), {"e": event_ids}
        )
