"""Which endpoint URLs a subscription may have.

HTTPS everywhere; plain HTTP only to this machine (``localhost``, ``127.0.0.0/8``, ``::1``)
and only outside production, for local receivers. In production an address that is not
public (loopback, private, link-local...) is refused as well, so a subscription cannot make
the shop call its own network.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from velox_shared.errors import UnprocessableContent

__all__ = ["check_url"]

_LOOPBACK_NAMES = frozenset({"localhost"})


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    ip = _ip(host)
    return ip.is_loopback if ip is not None else host in _LOOPBACK_NAMES


def _refuse(url: str, why: str) -> UnprocessableContent:
    return UnprocessableContent(f"url {url!r} {why}.", extensions={"field": "url"})


def check_url(url: str, environment: str) -> str:
    """``url`` if a subscription may deliver to it in ``environment`` (``VELOX_ENV``)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise _refuse(url, "is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not host:
        raise _refuse(url, "must be an absolute https:// URL")
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, "must not carry credentials (the signature authenticates us)")
    production = environment == "production"
    if parts.scheme == "http" and (production or not _is_loopback(host)):
        where = "in production" if production else "except to localhost"
        raise _refuse(url, f"must use https {where}")
    ip = _ip(host)
    if production and (host in _LOOPBACK_NAMES or (ip is not None and not ip.is_global)):
        raise _refuse(url, "must point to a public address")
    return url
