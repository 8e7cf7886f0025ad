"""Events and their delivery: signed exactly as Stripe signs, sent in order, retried."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx

from velox_devstack.fakestripe.store import Store, now

__all__ = ["API_VERSION", "Webhooks", "signature"]

API_VERSION = "2026-10-28.endive"
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)

_log = logging.getLogger("fakestripe.webhooks")


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header for ``payload``."""
    at = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256)
    return f"t={at},v1={mac.hexdigest()}"


class Webhooks:
    """Records events and sends each to every enabled endpoint, in order."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def emit(
        self, kind: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"object": json.loads(json.dumps(obj))}
        if previous:
            data["previous_attributes"] = previous
        event = self.store.add(
            "event",
            {
                "id": self.store.new_id("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": now(),
                "type": kind,
                "data": data,
                "livemode": False,
                "pending_webhooks": len(self.endpoints(kind)),
                "request": {"id": None, "idempotency_key": None},
            },
        )
        self.queue.put_nowait(event)
        return event

    def endpoints(self, kind: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.store.kind("webhook_endpoint").values()
            if e["status"] == "enabled"
            and ("*" in e["enabled_events"] or kind in e["enabled_events"])
        ]

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=5.0, trust_env=False)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            event = await self.queue.get()
            for endpoint in self.endpoints(event["type"]):
                await self._deliver(event, endpoint)

    async def _deliver(self, event: dict[str, Any], endpoint: dict[str, Any]) -> None:
        assert self._client is not None
        payload = json.dumps(event).encode()
        record: dict[str, Any] = {
            "event_id": event["id"],
            "type": event["type"],
            "endpoint": endpoint["url"],
            "status_code": None,
            "attempts": 0,
        }
        self.store.deliveries.append(record)
        for delay in (0.0, *RETRY_DELAYS):
            await asyncio.sleep(delay)
            record["attempts"] += 1
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature(payload, endpoint["secret"]),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            }
            try:
                response = await self._client.post(
                    endpoint["url"], content=payload, headers=headers
                )
            except httpx.HTTPError as exc:
                _log.info("delivery failed: %r", exc)
                continue
            record["status_code"] = response.status_code
            if 200 <= response.status_code < 300:
                return
