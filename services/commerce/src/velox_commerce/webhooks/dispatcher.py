"""The worker that sends due webhook deliveries and schedules their retries.

Each round claims a small batch in a short transaction (``FOR UPDATE SKIP LOCKED``, so
replicas share the work; the attempt is counted and the row leased), sends the batch
concurrently with no transaction open, then records each answer in a second transaction.
A 2xx answer is success; anything else (another status, a redirect, a timeout, a refused
connection) is retried after the next wait of the schedule, jittered, and the delivery is
dead once the schedule is used up. Every attempt carries the same ``webhook-id`` (the
event id) and a fresh ``webhook-timestamp`` and signature.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.workers import BackgroundWorker, Quiesce

from velox_commerce.webhooks import signing
from velox_commerce.webhooks.repository import Claimed, Deliveries

__all__ = ["USER_AGENT", "Outcome", "WebhookDispatcher", "encode_body", "next_wait"]

USER_AGENT = "Velox-Webhooks/1.0"
# Spread of each wait (a fraction either way), so retries to one endpoint do not bunch up.
_JITTER = 0.1
# What is kept of a failing answer's body in the delivery log.
_ERROR_BODY = 200
_log = logging.getLogger("velox.commerce.webhooks.dispatcher")


def encode_body(payload: dict[str, object]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def next_wait(schedule: Sequence[float], attempts: int) -> float | None:
    """Seconds until the next try after ``attempts`` failed ones (the schedule's wait,
    jittered); None once the schedule is used up.

    Example::

        next_wait([5, 30], 1)  # about 5 (4.5 to 5.5)
        next_wait([5, 30], 3)  # None: the delivery is dead
    """
    if attempts > len(schedule):
        return None
    return schedule[attempts - 1] * random.uniform(1 - _JITTER, 1 + _JITTER)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def _head(response: httpx.Response) -> str:
    """The start of the answer's body (a receiver's error page can be large)."""
    head = bytearray()
    async for chunk in response.aiter_bytes():
        head += chunk
        if len(head) >= _ERROR_BODY:
            break
    return head[:_ERROR_BODY].decode("utf-8", "replace").strip()


class WebhookDispatcher(BackgroundWorker):
    name = "webhook-dispatcher"

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        http: httpx.AsyncClient,
        *,
        poll_seconds: float,
        batch_size: int,
        timeout: float,
        schedule: Sequence[float],
    ) -> None:
        self.sessions = sessions
        self.http = http
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.timeout = timeout
        self.schedule = list(schedule)
        # A claimed delivery is tried again after this if its worker never reports back.
        self.lease = timedelta(seconds=timeout + 60)
        self.quiesce = Quiesce()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.dispatch()
            except Exception:
                _log.exception("webhook dispatch failed; next try in %.1f s", self.poll_seconds)
                sent = 0
            if sent < self.batch_size:
                await asyncio.sleep(self.poll_seconds)

    async def dispatch(self) -> int:
        """One round: claim due deliveries, send them, record the answers; returns how many."""
        async with self.quiesce.section(), self.sessions() as session, session.begin():
            claimed = await Deliveries(session).claim_due(self.batch_size, self.lease)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self.attempt(c) for c in claimed))
        async with self.quiesce.section(), self.sessions() as session, session.begin():
            deliveries = Deliveries(session)
            for delivery, outcome in zip(claimed, outcomes, strict=True):
                if outcome.ok and outcome.status_code is not None:
                    await deliveries.succeeded(delivery, outcome.status_code)
                else:
                    retry_in = next_wait(self.schedule, delivery.attempts)
                    error = outcome.error or "no answer"
                    await deliveries.failed(delivery, outcome.status_code, error, retry_in)
        return len(claimed)

    async def attempt(self, delivery: Claimed) -> Outcome:
        """POST one delivery, signed for this attempt; never raises."""
        body = encode_body(delivery.payload)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signing.headers(delivery.secret, delivery.event_id, int(time.time()), body),
        }
        try:
            async with asyncio.timeout(self.timeout):
                return await self._post(delivery.url, body, headers)
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, f"no answer within {self.timeout:g} s")
        except Exception as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}")

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        async with self.http.stream(
            "POST",
            url,
            content=body,
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
        ) as response:
            if response.is_success:
                return Outcome(response.status_code, None)
            head = await _head(response)
            error = f"HTTP {response.status_code}" + (f": {head}" if head else "")
            return Outcome(response.status_code, error)
