"""The gateway's reverse proxy: one client request in, one streamed service answer out.

Example (in the gateway's lifespan; the caller owns and closes the client)::

    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=512))
    proxy = ServiceProxy(client, routes_from_urls(settings.service_urls),
                         IdentitySigner(private_pem), max_body_bytes=settings.max_body_bytes)
    response = await proxy.forward(request, service="commerce", identity=identity)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from http.cookiejar import CookieJar
from types import MappingProxyType
from urllib.parse import quote

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send
from velox_shared.context import current_request_id
from velox_shared.errors import ServiceUnavailable
from velox_shared.identity import Identity, IdentitySigner

from velox_gateway.proxy.body import RequestBody, request_body
from velox_gateway.proxy.breaker import BreakerState, CircuitBreaker
from velox_gateway.proxy.errors import BadGateway, ServiceDown, ServiceTimeout, UnknownService
from velox_gateway.proxy.headers import Forwarding, downstream_headers, upstream_headers
from velox_gateway.proxy.retry import send_with_retries
from velox_gateway.proxy.routes import ServiceRoute

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ServiceProxy", "UpstreamResponse"]

DEFAULT_MAX_BODY_BYTES = 110 * 1024 * 1024
# Answers up to this size with a declared length are relayed whole, larger ones streamed.
SMALL_BODY_BYTES = 64 * 1024

_log = logging.getLogger("velox.gateway.proxy")


class _NoCookieJar(CookieJar):
    """Keeps nothing and adds nothing: the shared client must not carry one caller's
    ``Set-Cookie`` to the next caller, and need not parse the headers to find out."""

    def extract_cookies(self, response: object, request: object) -> None:
        return None

    def add_cookie_header(self, request: object) -> None:
        return None


class UpstreamResponse(StreamingResponse):
    """A service's answer relayed chunk by chunk as it arrives, never held in memory."""

    def __init__(self, upstream: httpx.Response) -> None:
        super().__init__(
            upstream.aiter_raw(),
            status_code=upstream.status_code,
            background=BackgroundTask(upstream.aclose),
        )
        # Raw pairs keep repeated headers (Set-Cookie, Link) that a mapping would merge.
        self.raw_headers = downstream_headers(upstream.headers.raw)
        self.upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # The background task does not run when the client goes away or the service
            # breaks off mid-body; release the pooled connection now in every case.
            await self.upstream.aclose()


class ServiceProxy:
    """Forwards requests to named services with identity tokens, retries and breakers.

    The caller owns ``client`` (one pooled client per process) and closes it. The proxy
    gives the client a cookie jar that keeps nothing, so a service's ``Set-Cookie``
    for one caller can never ride along on the next caller's request.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        routes: Mapping[str, ServiceRoute],
        signer: IdentitySigner,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        breaker_failures: int = 5,
        breaker_reset_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, route in routes.items():
            if name != route.name:
                raise ValueError(f"route {name!r} is named {route.name!r}")
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must not be negative")
        self._client = client
        self._routes = dict(routes)
        self._signer = signer
        self.max_body_bytes = max_body_bytes
        self._breakers = {
            name: CircuitBreaker(
                name,
                failure_threshold=breaker_failures,
                reset_seconds=breaker_reset_seconds,
                clock=clock,
            )
            for name in self._routes
        }
        client.cookies = _NoCookieJar()

    @property
    def routes(self) -> Mapping[str, ServiceRoute]:
        """The services this proxy forwards to, by name (read-only)."""
        return MappingProxyType(self._routes)

    def breaker(self, service: str) -> CircuitBreaker:
        """The circuit breaker of ``service`` (raises :class:`UnknownService`)."""
        self._route(service)
        return self._breakers[service]

    def breaker_states(self) -> dict[str, BreakerState]:
        """Each service's breaker state, cheap enough for every ``/readyz``."""
        return {name: breaker.state for name, breaker in sorted(self._breakers.items())}

    async def forward(
        self,
        request: Request,
        *,
        service: str,
        identity: Identity | None,
        path: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> Response:
        """Send ``request`` to ``service`` as ``identity`` and stream the answer back.

        ``identity`` None sends no identity token: only for the public routes the service
        authenticates itself (Stripe's signed webhooks).

        ``extra_headers`` are added after the client's (which cannot override them).
        ``path`` (percent-encoded, with a leading slash) replaces the request's own path;
        the query string is always kept. Raises a problem (404 unknown service, 413 body
        too large, 502/503/504 service trouble) instead of answering with an error body.
        """
        route = self._route(service)
        body = request_body(request, max_bytes=self.max_body_bytes)
        build = self._builder(request, route, identity, path, body, extra_headers)
        breaker = self._breakers[service]
        probe = breaker.acquire()
        upstream = await self._send(route, breaker, probe, build, body)
        if request.method == "HEAD" or not _small(upstream):
            return UpstreamResponse(upstream)
        # A small answer of known size is read whole: a plain response skips the task
        # group a streamed one needs to watch for the client leaving.
        try:
            content = b"".join([chunk async for chunk in upstream.aiter_raw()])
        except httpx.TransportError as exc:
            breaker.record_failure()
            raise _unavailable(route, exc) from None
        finally:
            await upstream.aclose()
        response = Response(content, status_code=upstream.status_code)
        response.raw_headers = downstream_headers(upstream.headers.raw)
        return response

    def _route(self, service: str) -> ServiceRoute:
        route = self._routes.get(service)
        if route is None:
            raise UnknownService(f"The gateway routes to no service named {service!r}.")
        return route

    def _builder(
        self,
        request: Request,
        route: ServiceRoute,
        identity: Identity | None,
        path: str | None,
        body: RequestBody | None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Callable[[], httpx.Request]:
        forwarding = Forwarding(
            identity_token=self._signer.sign(identity, audience=route.name) if identity else None,
            request_id=current_request_id() or (identity.request_id if identity else None),
            client_ip=request.client.host if request.client else None,
            proto=request.url.scheme,
            host=request.headers.get("host"),
            extra=extra,
        )
        headers = upstream_headers(request.headers.raw, forwarding)
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = route.url(_raw_path(request) if path is None else path, query)
        extensions = {"timeout": route.timeouts.as_dict()}

        def build() -> httpx.Request:
            return httpx.Request(
                request.method, url, headers=headers, content=body, extensions=extensions
            )

        return build

    async def _send(
        self,
        route: ServiceRoute,
        breaker: CircuitBreaker,
        probe: bool,
        build: Callable[[], httpx.Request],
        body: RequestBody | None,
    ) -> httpx.Response:
        try:
            upstream = await send_with_retries(
                self._client,
                build,
                retries=route.retries,
                backoff_seconds=route.backoff_seconds,
                body=body,
            )
        except httpx.TransportError as exc:
            if body is not None and body.error is not None:
                # The client's body broke off (too large, client gone): not the service's fault.
                breaker.release(probe)
                raise body.error from None
            breaker.record_failure()
            _log.warning(
                "upstream call failed",
                extra={"service": route.name, "error": type(exc).__name__},
            )
            raise _unavailable(route, exc) from None
        except BaseException:
            breaker.release(probe)
            raise
        breaker.record_status(upstream.status_code)
        return upstream


def _small(upstream: httpx.Response) -> bool:
    length = upstream.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) <= SMALL_BODY_BYTES


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return raw.decode("latin-1")
    return quote(request.scope.get("path") or "/")


def _unavailable(route: ServiceRoute, exc: httpx.TransportError) -> ServiceUnavailable:
    name, timeouts = route.name, route.timeouts
    extensions = {"service": name}
    if isinstance(exc, httpx.ConnectTimeout):
        detail = f"The {name} service did not accept a connection within {timeouts.connect}s."
        return ServiceDown(detail, extensions=extensions)
    if isinstance(exc, httpx.PoolTimeout):
        detail = f"Every connection to the {name} service is busy; retry shortly."
        return ServiceDown(detail, extensions=extensions)
    if isinstance(exc, httpx.TimeoutException):
        detail = f"The {name} service did not answer within {timeouts.read}s."
        return ServiceTimeout(detail, extensions=extensions)
    if isinstance(exc, httpx.ConnectError):
        return ServiceDown(f"The {name} service is unreachable.", extensions=extensions)
    detail = f"The connection to the {name} service failed ({type(exc).__name__})."
    return BadGateway(detail, extensions=extensions)
