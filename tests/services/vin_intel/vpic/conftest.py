"""The loopback vPIC on a real socket, a control client for it, and vPIC clients to test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from velox_devstack.fakevpic import create_app
from velox_vin_intel.vpic import VpicClient

from tests.conftest import loopback


@dataclass
class FakeVpic:
    """The fake's address, a client for its ``/_fake`` controls and the URLs it was sent."""

    url: str
    control: httpx.AsyncClient
    sent: list[httpx.Request] = field(default_factory=list)

    async def calls(self) -> dict[str, Any]:
        response = await self.control.get("/_fake/calls")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def set(self, what: str, **body: Any) -> None:
        (await self.control.post(f"/_fake/{what}", json=body)).raise_for_status()


@pytest.fixture
async def fake() -> AsyncIterator[FakeVpic]:
    async with loopback(create_app()) as url, httpx.AsyncClient(base_url=url) as control:
        yield FakeVpic(url, control)


@pytest.fixture
async def make_client(fake: FakeVpic) -> AsyncIterator[Callable[..., VpicClient]]:
    """``make_client(**options)``: a VpicClient on the fake with fast test timings."""
    made: list[httpx.AsyncClient] = []

    async def record(request: httpx.Request) -> None:
        fake.sent.append(request)

    def build(**options: Any) -> VpicClient:
        http = httpx.AsyncClient(event_hooks={"request": [record]})
        made.append(http)
        settings: dict[str, Any] = {"timeout": 1.0, "backoff": 0.01, "deadline": 3.0}
        settings.update(options)
        return VpicClient(http, base_url=f"{fake.url}/api", **settings)

    yield build
    for http in made:
        await http.aclose()
