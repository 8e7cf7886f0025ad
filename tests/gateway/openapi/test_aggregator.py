"""OpenAPIAggregator against services served over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send
from velox_devstack.embedded import free_port
from velox_gateway.openapi import OpenAPIAggregator

from tests.conftest import loopback
from tests.gateway.openapi.apps import billing_app, commerce_app, gateway_app


class Counted:
    """Wraps an app, counting (and on demand failing) its ``/openapi.json`` requests."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.hits = 0
        self.failing = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/openapi.json":
            self.hits += 1
            if self.failing:
                await PlainTextResponse("boom", status_code=500)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture(scope="module")
def gateway_doc() -> dict[str, Any]:
    return gateway_app().openapi()


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


async def test_live_services_are_merged_and_a_dead_one_is_marked(
    http: httpx.AsyncClient, gateway_doc: dict[str, Any]
) -> None:
    async with loopback(commerce_app()) as commerce, loopback(billing_app()) as billing:
        services = {"commerce": commerce, "billing": billing, "trading": dead_url()}
        doc = await OpenAPIAggregator(http, services).document(gateway_doc)

    validate(doc, cls=OpenAPIV31SpecValidator)
    assert {"/v1/commerce/orders", "/v1/billing/invoices", "/v1/auth/login"} <= set(doc["paths"])
    assert doc["x-velox-unavailable"] == ["trading"]
    assert "x-velox-stale" not in doc
    assert doc["info"]["title"] == "Velox API"
    assert doc["info"]["version"] == "1.0.0"
    assert doc["info"]["description"].startswith("Velox business APIs.")


async def test_the_document_is_cached_for_the_ttl(
    http: httpx.AsyncClient, gateway_doc: dict[str, Any]
) -> None:
    commerce, clock = Counted(commerce_app()), Clock()
    async with loopback(commerce) as url:
        aggregator = OpenAPIAggregator(http, {"commerce": url}, ttl=60, clock=clock)
        first = await aggregator.document(gateway_doc)
        clock.now += 59
        second = await aggregator.document(gateway_doc)
        assert commerce.hits == 1
        assert second is first
        clock.now += 1
        await aggregator.document(gateway_doc)
        assert commerce.hits == 2


async def test_concurrent_callers_share_one_fetch(
    http: httpx.AsyncClient, gateway_doc: dict[str, Any]
) -> None:
    commerce = Counted(commerce_app())
    async with loopback(commerce) as url:
        aggregator = OpenAPIAggregator(http, {"commerce": url})
        docs = await asyncio.gather(*(aggregator.document(gateway_doc) for _ in range(5)))
    assert commerce.hits == 1
    assert all(doc is docs[0] for doc in docs)


async def test_a_failing_service_keeps_its_last_good_document(
    http: httpx.AsyncClient, gateway_doc: dict[str, Any]
) -> None:
    commerce, billing, clock = Counted(commerce_app()), Counted(billing_app()), Clock()
    async with loopback(commerce) as commerce_url:
        async with loopback(billing) as billing_url:
            services = {"commerce": commerce_url, "billing": billing_url}
            aggregator = OpenAPIAggregator(http, services, ttl=60, clock=clock)
            await aggregator.document(gateway_doc)
        # billing is gone now (connection refused); commerce answers 500.
        commerce.failing = True
        clock.now += 60
        doc = await aggregator.document(gateway_doc)

    assert commerce.hits == 2
    assert {"/v1/commerce/orders", "/v1/billing/invoices"} <= set(doc["paths"])
    assert doc["x-velox-stale"] == ["commerce", "billing"]
    assert "x-velox-unavailable" not in doc
    validate(doc, cls=OpenAPIV31SpecValidator)


async def test_a_missing_service_is_retried_sooner_than_the_ttl(
    http: httpx.AsyncClient, gateway_doc: dict[str, Any]
) -> None:
    commerce, clock = Counted(commerce_app()), Clock()
    async with loopback(commerce) as url:
        commerce.failing = True
        aggregator = OpenAPIAggregator(http, {"commerce": url}, ttl=60, retry=5, clock=clock)
        assert (await aggregator.document(gateway_doc))["x-velox-unavailable"] == ["commerce"]
        commerce.failing = False
        clock.now += 5
        doc = await aggregator.document(gateway_doc)
    assert commerce.hits == 2
    assert "x-velox-unavailable" not in doc
    assert "/v1/commerce/orders" in doc["paths"]
