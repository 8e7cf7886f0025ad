"""Logs are JSON with the request id; Sentry and OpenTelemetry really send when configured."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import Callable

import pytest
import sentry_sdk
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from velox_shared.logging import JsonFormatter
from velox_shared.observability import init_tracing

from tests.conftest import Keys, loopback, serve


def recorder(path_prefix: str) -> tuple[Starlette, list[tuple[str, dict[str, str], bytes]]]:
    """A loopback HTTP endpoint that keeps every POST it receives."""
    received: list[tuple[str, dict[str, str], bytes]] = []

    async def keep(request: Request) -> Response:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        received.append((request.url.path, dict(request.headers), body))
        return Response("{}", media_type="application/json")

    return Starlette(routes=[Route(path_prefix + "{rest:path}", keep, methods=["POST"])]), received


def test_log_lines_are_json_with_the_request_id() -> None:
    from velox_shared.context import set_request_id

    set_request_id("req_abc")
    record = logging.LogRecord("velox.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.order_id = "ord_1"
    line = json.loads(JsonFormatter("commerce").format(record))
    set_request_id(None)
    assert line["msg"] == "hello you"
    assert line["service"] == "commerce"
    assert line["request_id"] == "req_abc"
    assert line["order_id"] == "ord_1"
    assert line["level"] == "info"


async def test_unhandled_errors_reach_sentry(
    component_app: Callable[[str], FastAPI], keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentry_app, received = recorder("/api/")
    async with loopback(sentry_app) as url:
        monkeypatch.setenv("SENTRY_DSN", url.replace("http://", "http://publickey@") + "/42")
        app = component_app("trading")

        async def explode() -> None:
            raise RuntimeError("strategy blew up")

        app.add_api_route("/v1/trading/explode", explode)
        try:
            async with serve(app) as client:
                response = await client.get(
                    "/v1/trading/explode", headers={"X-Velox-Identity": keys.token("trading")}
                )
            # flush() blocks; run it in a thread so the loopback server can answer.
            await asyncio.to_thread(sentry_sdk.flush, 5)
        finally:
            sentry_sdk.init(dsn="")  # back to a client that sends nothing
    assert response.status_code == 500
    assert "strategy blew up" not in response.text
    bodies = b"".join(body for path, _, body in received if path == "/api/42/envelope/")
    assert b"strategy blew up" in bodies
    assert b"RuntimeError" in bodies


async def test_spans_are_exported_over_otlp(component_app: Callable[[str], FastAPI]) -> None:
    collector, received = recorder("/v1/")
    async with loopback(collector) as url:
        provider = init_tracing(url, service="billing")
        try:
            async with serve(component_app("billing")) as client:
                await client.get("/healthz")
            await asyncio.to_thread(provider.force_flush)
        finally:
            await asyncio.to_thread(provider.shutdown)
    [(_, headers, body)] = [r for r in received if r[0] == "/v1/traces"][:1]
    assert headers["content-type"] == "application/x-protobuf"
    assert b"GET /healthz" in body
    assert b"velox-billing" in body
