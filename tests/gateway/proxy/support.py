"""A recording upstream service and a gateway-like app for the proxy tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI, Request
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from velox_gateway.proxy import ServiceProxy, ServiceRoute
from velox_shared.context import current_request_id
from velox_shared.errors import install_error_handlers
from velox_shared.identity import Identity, IdentitySigner
from velox_shared.observability import RequestContextMiddleware

from tests.conftest import TLS, Keys

CHUNK = 64 * 1024
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
GATEWAY_URL = "http://gateway.test"


@dataclass(frozen=True)
class Seen:
    """One request as the upstream service received it."""

    method: str
    path: str
    raw_path: str
    query: str
    headers: list[tuple[str, str]]
    size: int
    head: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]


@dataclass
class Upstream:
    """State of the recording service: what it saw, what it answers, when it may finish."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    status: int = 200
    release: asyncio.Event = field(default_factory=asyncio.Event)
    download_sent: int = 0
    download_ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def last(self) -> Seen:
        return self.seen[-1]


async def zeros(size: int) -> AsyncIterator[bytes]:
    """``size`` zero bytes, made one chunk at a time (never all at once)."""
    block = bytes(CHUNK)
    sent = 0
    while sent < size:
        n = min(CHUNK, size - sent)
        yield block if n == CHUNK else block[:n]
        sent += n


async def _record(state: Upstream, request: Request, keep: int = 1 << 20) -> Seen:
    size, head = 0, bytearray()
    try:
        async for chunk in request.stream():
            size += len(chunk)
            head += chunk[: max(0, keep - len(head))]
    except ClientDisconnect:
        pass
    seen = Seen(
        method=request.method,
        path=request.url.path,
        raw_path=request.scope["raw_path"].decode(),
        query=request.url.query,
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
        size=size,
        head=bytes(head),
    )
    state.seen.append(seen)
    return seen


def upstream_app(state: Upstream) -> Starlette:
    """A service that records every request and counts (never stores) large bodies."""

    async def echo(request: Request) -> Response:
        seen = await _record(state, request)
        body = {"method": seen.method, "path": seen.path, "size": seen.size}
        return JSONResponse(body, headers={"x-request-id": "upstream-copy"})

    async def counted(size: int) -> AsyncIterator[bytes]:
        try:
            async for chunk in zeros(size):
                yield chunk
                state.download_sent += len(chunk)
                # A real service awaits I/O between chunks; this is where it would notice
                # (and be cancelled on) a disconnect.
                await asyncio.sleep(0)
        finally:
            state.download_ended.set()

    async def download(request: Request) -> Response:
        await _record(state, request)
        size = int(request.path_params["size"])
        return StreamingResponse(
            counted(size),
            media_type="application/octet-stream",
            headers={"content-length": str(size)},
        )

    async def status(request: Request) -> Response:
        await _record(state, request)
        return JSONResponse({"from": "upstream"}, status_code=state.status)

    async def slow(request: Request) -> Response:
        await _record(state, request)
        await state.release.wait()
        return Response("late")

    async def teapot(request: Request) -> Response:
        await _record(state, request)
        response = Response(b"short and stout", status_code=418, media_type="application/x-tea")
        for name, value in [
            ("set-cookie", "a=1; Path=/"),
            ("set-cookie", "b=2; Path=/"),
            ("x-custom", "kept"),
            ("connection", "x-up-hop"),
            ("x-up-hop", "dropped"),
            ("keep-alive", "timeout=5"),
            ("proxy-authenticate", "Basic"),
        ]:
            response.raw_headers.append((name.encode(), value.encode()))
        return response

    return Starlette(
        routes=[
            Route("/download/{size:int}", download),
            Route("/status", status, methods=METHODS),
            Route("/slow", slow, methods=METHODS),
            Route("/teapot", teapot),
            Route("/{rest:path}", echo, methods=METHODS),
        ]
    )


def gateway_app(proxy: ServiceProxy) -> FastAPI:
    """A gateway in miniature: request ids, problem+json errors, a catch-all proxy route.

    ``/same/{service}/...`` keeps the request's own path upstream (``path=None``);
    ``/{service}/{rest}`` forwards to ``/{rest}``.
    """
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service="gateway-test")

    def identity() -> Identity:
        return Identity(
            account_id="acc_1",
            principal_id="key_1",
            plan="pro",
            scopes=("echo:read",),
            request_id=current_request_id(),
        )

    @app.api_route("/same/{service}/{rest:path}", methods=METHODS)
    async def same_path(request: Request, service: str) -> Response:
        return await proxy.forward(request, service=service, identity=identity())

    @app.api_route("/{service}/{rest:path}", methods=METHODS)
    async def proxied(request: Request, service: str, rest: str) -> Response:
        return await proxy.forward(request, service=service, identity=identity(), path="/" + rest)

    return app


def make_proxy(
    client: httpx.AsyncClient,
    keys: Keys,
    *routes: ServiceRoute,
    max_body_bytes: int = 110 * 1024 * 1024,
    breaker_failures: int = 5,
    breaker_reset_seconds: float = 10.0,
) -> ServiceProxy:
    return ServiceProxy(
        client,
        {route.name: route for route in routes},
        IdentitySigner(keys.private),
        max_body_bytes=max_body_bytes,
        breaker_failures=breaker_failures,
        breaker_reset_seconds=breaker_reset_seconds,
    )


@asynccontextmanager
async def in_process(proxy: ServiceProxy) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to :func:`gateway_app` in-process (ASGI transport)."""
    transport = httpx.ASGITransport(app=gateway_app(proxy))
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY_URL, verify=TLS) as client:
        yield client


def problem_type(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    kind: str = response.json()["type"]
    return kind.rsplit("/", 1)[-1]
