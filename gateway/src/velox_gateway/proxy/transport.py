"""The proxy's transport: httpx's API over aiohttp's connection pool.

httpcore (httpx's own transport) scans every pooled connection with a ``poll()`` for each
request and builds on anyio, which made it the largest share of the gateway's CPU per
proxied request (bench/gateway). aiohttp's pool hands out a keep-alive connection without
a scan and parses responses in C. ``httpx-aiohttp`` (by httpcore's maintainer) adapts it to
httpx; this module configures it for a reverse proxy:

- no cookie jar: one caller's ``Set-Cookie`` must never ride along on the next caller's
  request;
- no automatic ``Accept``, ``Accept-Encoding`` or ``User-Agent``: the service sees the
  caller's headers, and a response is never compressed for a client that did not ask;
- idle connections are dropped before the services' own keep-alive timeout (uvicorn's 5 s),
  so a connection the service is closing is not reused;
- errors are told apart the way the proxy needs them: a refused connection is a
  :class:`httpx.ConnectError`, a connect (or pool) timeout a :class:`httpx.ConnectTimeout`,
  a service that hangs up a :class:`httpx.RemoteProtocolError`, a read timeout a
  :class:`httpx.ReadTimeout`. Only the first two are retried, and only for idempotent
  methods (see :mod:`velox_gateway.proxy.retry`); aiohttp's own resend of an idempotent
  request after a hang-up is off, so a request the service may have seen goes once.

Example::

    client = httpx.AsyncClient(transport=upstream_transport(max_connections=512))
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = ["UpstreamTransport", "upstream_transport"]

KEEPALIVE_SECONDS = 4.0
_SKIPPED_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent")


class UpstreamTransport(AiohttpTransport):
    """``AiohttpTransport`` whose errors say whether the service saw the request."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except (TimeoutError, httpx.TransportError, aiohttp.ClientError) as exc:
            original = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
            error = _transport_error(original or exc)
            raise error(str(original or exc) or type(exc).__name__, request=request) from exc


def _transport_error(exc: BaseException) -> type[httpx.TransportError]:
    if isinstance(exc, httpx.TransportError):
        return type(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return httpx.ReadTimeout
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError
    return httpx.NetworkError


def upstream_transport(*, max_connections: int) -> UpstreamTransport:
    """One process's transport to every service (the caller closes the client using it)."""

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=KEEPALIVE_SECONDS)
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIPPED_AUTO_HEADERS,
        )
        # aiohttp sends an idempotent request again when the service hangs up on it, body
        # included, which a streamed body cannot be. The proxy's own retry (connect
        # failures only) is the one policy; aiohttp's test client turns its own off alike.
        session._retry_connection = False
        return session

    return UpstreamTransport(client=session)
