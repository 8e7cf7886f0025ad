"""Webhook test helpers: a receiver on a loopback port that records what it gets and
answers as told, an independent Standard Webhooks check, and cleanup of the account-level
subscriptions (store-scoped ones go with their stores)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import loopback
from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok

HOOKS = "/v1/commerce/webhooks"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """An endpoint that answers each request with the next of ``statuses`` (then 204)."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        self.received.append(Received(dict(request.headers), await request.body(), time.time()))
        status = self.statuses.pop(0) if self.statuses else 204
        return Response("receiver says no" if status >= 400 else b"", status_code=status)

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert len(self.received) >= count, f"{len(self.received)} of {count} requests arrived"
        return self.received


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recorder = Receiver()
    app = Starlette(routes=[Route("/hook", recorder.handle, methods=["POST"])])
    async with loopback(app) as url:
        recorder.url = f"{url}/hook"
        yield recorder


@pytest.fixture
async def hooks(shop: Shop, commerce_db: AsyncEngine) -> AsyncIterator[Shop]:
    """The shop, deleting the test accounts' subscriptions (and so their deliveries) after."""
    yield shop
    async with commerce_db.begin() as conn:
        await conn.execute(
            text("DELETE FROM commerce.webhook_subscriptions WHERE account_id = ANY(:a)"),
            {"a": shop.made},
        )


def verify(secret: str, received: Received, *, tolerance: float = 300) -> None:
    """Check a request as the Standard Webhooks spec tells receivers to (written apart
    from the service's signer)."""
    msg_id = received.headers["webhook-id"]
    stamp = received.headers["webhook-timestamp"]
    assert abs(int(stamp) - time.time()) <= tolerance
    key = base64.b64decode(secret[len("whsec_") :])
    content = msg_id.encode() + b"." + stamp.encode() + b"." + received.body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1) for s in received.headers["webhook-signature"].split(" ")]
    assert any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in offered)


async def subscribe(client: httpx.AsyncClient, url: str, **body: Any) -> dict[str, Any]:
    body.setdefault("event_types", ["*"])
    created: dict[str, Any] = ok(
        await client.post(f"{HOOKS}/subscriptions", json={"url": url, **body}), 201
    )
    return created


async def eventually(
    probe: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 15.0
) -> Any:
    """Call ``probe`` until ``done`` holds for its result (the last result is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if done(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)
