"""POST /v1/billing/webhooks/stripe: only Stripe-signed, fresh events are stored, once."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import serve
from tests.services.billing.conftest import WEBHOOK_SECRET, sign, stripe_event

PATH = "/v1/billing/webhooks/stripe"
OLD_SECRET = "whsec_old_" + "b" * 24


@pytest.fixture
async def billing(
    component_app: Callable[[str], FastAPI], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    # Two secrets while one is rolled; no API key, so stored events wait unprocessed.
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", f"{WEBHOOK_SECRET},{OLD_SECRET}")
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    async with serve(component_app("billing")) as client:
        yield client


def new_event(forget: Callable[..., None]) -> tuple[str, bytes]:
    event_id = "evt_" + secrets.token_hex(8)
    forget(event=event_id)
    return event_id, stripe_event(event_id, "invoice.paid", {"id": "in_1", "object": "invoice"})


async def stored(engine: AsyncEngine, event_id: str) -> int | None:
    async with engine.connect() as conn:
        value = await conn.scalar(
            text("SELECT deliveries FROM billing.webhook_events WHERE id = :i"), {"i": event_id}
        )
    return None if value is None else int(value)


async def test_a_signed_event_is_stored_and_acknowledged(
    billing: httpx.AsyncClient, billing_db: AsyncEngine, forget_billing: Callable[..., None]
) -> None:
    event_id, body = new_event(forget_billing)
    response = await billing.post(PATH, content=body, headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    assert await stored(billing_db, event_id) == 1


async def test_a_replayed_event_is_acknowledged_but_kept_once(
    billing: httpx.AsyncClient, billing_db: AsyncEngine, forget_billing: Callable[..., None]
) -> None:
    event_id, body = new_event(forget_billing)
    first = await billing.post(PATH, content=body, headers={"Stripe-Signature": sign(body)})
    again = await billing.post(PATH, content=body, headers={"Stripe-Signature": sign(body)})
    assert first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert await stored(billing_db, event_id) == 2  # two deliveries, one row


async def test_a_tampered_body_is_refused(
    billing: httpx.AsyncClient, billing_db: AsyncEngine, forget_billing: Callable[..., None]
) -> None:
    event_id, body = new_event(forget_billing)
    header = sign(body)
    tampered = body.replace(b"invoice.paid", b"invoice.void")
    response = await billing.post(PATH, content=tampered, headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-webhook-signature")
    assert await stored(billing_db, event_id) is None


async def test_a_stale_timestamp_is_refused(
    billing: httpx.AsyncClient, billing_db: AsyncEngine, forget_billing: Callable[..., None]
) -> None:
    event_id, body = new_event(forget_billing)
    old = sign(body, at=int(time.time()) - 301)
    response = await billing.post(PATH, content=body, headers={"Stripe-Signature": old})
    assert response.status_code == 400
    assert "tolerance" in response.json()["detail"].lower()
    assert await stored(billing_db, event_id) is None


async def test_an_unknown_secret_and_a_missing_header_are_refused(
    billing: httpx.AsyncClient, forget_billing: Callable[..., None]
) -> None:
    _, body = new_event(forget_billing)
    wrong = await billing.post(
        PATH, content=body, headers={"Stripe-Signature": sign(body, "whsec_not_ours_0000")}
    )
    missing = await billing.post(PATH, content=body)
    garbage = await billing.post(PATH, content=body, headers={"Stripe-Signature": "nonsense"})
    assert wrong.status_code == missing.status_code == garbage.status_code == 400


async def test_secret_rolling_accepts_the_old_secret_and_several_signatures(
    billing: httpx.AsyncClient, billing_db: AsyncEngine, forget_billing: Callable[..., None]
) -> None:
    event_id, body = new_event(forget_billing)
    with_old = await billing.post(
        PATH, content=body, headers={"Stripe-Signature": sign(body, OLD_SECRET)}
    )
    assert with_old.status_code == 200
    other_id, other = new_event(forget_billing)
    now = int(time.time())
    # Stripe signs with every active secret: one header, several v1 entries.
    both = sign(other, "whsec_unknown_000", at=now) + "," + sign(other, at=now).split(",")[1]
    response = await billing.post(PATH, content=other, headers={"Stripe-Signature": both})
    assert response.status_code == 200
    assert await stored(billing_db, event_id) == 1
    assert await stored(billing_db, other_id) == 1


async def test_a_signed_body_that_is_not_an_event_is_refused(
    billing: httpx.AsyncClient,
) -> None:
    body = b'{"hello": "world"}'
    response = await billing.post(PATH, content=body, headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/bad-request")
