"""A webhook endpoint on loopback that records what the fake Stripe sends it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


@dataclass
class Receiver:
    """Records each delivery's body and ``Stripe-Signature``; reads them back verified."""

    secret: str
    received: list[tuple[bytes, str]] = field(default_factory=list)

    async def endpoint(self, request: Request) -> Response:
        self.received.append((await request.body(), request.headers["stripe-signature"]))
        return JSONResponse({"ok": True})

    async def events(self, count: int) -> list[stripe.Event]:
        """The events delivered so far, once ``count`` have come (or after five seconds),
        each checked against the signing secret."""
        for _ in range(200):
            if len(self.received) >= count:
                break
            await asyncio.sleep(0.025)
        return [stripe.Webhook.construct_event(b, s, self.secret) for b, s in self.received]

    async def types(self, count: int) -> list[str]:
        return [event.type for event in await self.events(count)]
