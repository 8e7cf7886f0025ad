"""Which headers cross the gateway, in each direction.

Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, so they are dropped
both ways, together with any header the ``Connection`` header names. Client credentials
never reach a service: the gateway has already authenticated the caller and forwards a
signed identity instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from velox_shared.context import REQUEST_ID_HEADER
from velox_shared.contracts.usage import QUOTA_REMAINING_HEADER
from velox_shared.identity import IDENTITY_HEADER

__all__ = [
    "CREDENTIAL_HEADERS",
    "HOP_BY_HOP_HEADERS",
    "Forwarding",
    "downstream_headers",
    "strip_hop_by_hop",
    "upstream_headers",
]

RawHeaders = Sequence[tuple[bytes, bytes]]

HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
CREDENTIAL_HEADERS = frozenset({IDENTITY_HEADER.lower(), "authorization", "x-api-key", "cookie"})

# Set by the proxy itself (or by the HTTP client from the URL); the client's copies are
# not trusted. ``Expect`` was already answered by the gateway's own server.
_REPLACED_UPSTREAM = frozenset(
    {
        "host",
        "expect",
        REQUEST_ID_HEADER.lower(),
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        QUOTA_REMAINING_HEADER.lower(),
    }
)
# The gateway's server and middleware write these on the way out; a service's copies
# would be duplicates.
_REPLACED_DOWNSTREAM = frozenset({"date", "server", REQUEST_ID_HEADER.lower()})


@dataclass(frozen=True)
class Forwarding:
    """What the proxy adds to the request it sends upstream."""

    identity_token: str | None  # None for a public route (a provider's signed webhook)
    request_id: str | None
    client_ip: str | None
    proto: str
    host: str | None
    # Set by the access pipeline (the remaining quota for service-metered operations).
    extra: tuple[tuple[str, str], ...] = ()


def _is_hop_by_hop(name: str) -> bool:
    return name in HOP_BY_HOP_HEADERS or name.startswith("proxy-")


def _connection_tokens(raw: RawHeaders) -> set[str]:
    tokens: set[str] = set()
    for key, value in raw:
        if key.lower() == b"connection":
            tokens.update(t.strip().lower() for t in value.decode("latin-1").split(","))
    tokens.discard("")
    return tokens


def strip_hop_by_hop(raw: RawHeaders) -> list[tuple[str, str]]:
    """``raw`` without hop-by-hop headers, as lower-case names and latin-1 values."""
    named = _connection_tokens(raw)
    kept = []
    for key, value in raw:
        name = key.decode("latin-1").lower()
        if not _is_hop_by_hop(name) and name not in named:
            kept.append((name, value.decode("latin-1")))
    return kept


def _forwarded_for(raw: RawHeaders, client_ip: str | None) -> str | None:
    chain = [
        hop.strip()
        for key, value in raw
        if key.lower() == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
        if hop.strip()
    ]
    if client_ip:
        chain.append(client_ip)
    return ", ".join(chain) if chain else None


def upstream_headers(raw: RawHeaders, forwarding: Forwarding) -> list[tuple[str, str]]:
    """The headers to send a service for a client request with headers ``raw``.

    Example::

        upstream_headers(request.headers.raw, Forwarding(token, "req_1", "10.0.0.7",
                                                         "https", "api.velox.dev"))
    """
    dropped = CREDENTIAL_HEADERS | _REPLACED_UPSTREAM
    headers = [(k, v) for k, v in strip_hop_by_hop(raw) if k not in dropped]
    if forwarding.identity_token:
        headers.append((IDENTITY_HEADER, forwarding.identity_token))
    if forwarding.request_id:
        headers.append((REQUEST_ID_HEADER, forwarding.request_id))
    chain = _forwarded_for(raw, forwarding.client_ip)
    if chain:
        headers.append(("X-Forwarded-For", chain))
    headers.append(("X-Forwarded-Proto", forwarding.proto))
    if forwarding.host:
        headers.append(("X-Forwarded-Host", forwarding.host))
    headers.extend(forwarding.extra)
    return headers


def downstream_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A service's response headers as the gateway passes them on (ASGI raw form)."""
    return [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in strip_hop_by_hop(list(raw))
        if name not in _REPLACED_DOWNSTREAM
    ]
