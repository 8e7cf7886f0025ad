"""Fixtures of the proxy tests: a recording upstream over real HTTP and the proxy's client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from velox_gateway.proxy.transport import upstream_transport

from tests.conftest import loopback
from tests.gateway.proxy.support import Upstream, upstream_app


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    state = Upstream()
    async with loopback(upstream_app(state)) as url:
        state.url = url
        try:
            yield state
        finally:
            state.release.set()


@pytest.fixture
async def upstream_client() -> AsyncIterator[httpx.AsyncClient]:
    """The proxy's one long-lived pooled client (owned by the test, as by the gateway)."""
    async with httpx.AsyncClient(transport=upstream_transport(max_connections=64)) as client:
        yield client
