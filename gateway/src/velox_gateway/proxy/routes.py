"""Where each service lives and how patiently the proxy talks to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

__all__ = ["DEFAULT_RETRIES", "DEFAULT_TIMEOUT", "ServiceRoute", "routes_from_urls"]

# A refused or silent connect should turn into a 503 within seconds; a slow answer (a
# report, a large download) may take longer.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=2.0, pool=2.0)
DEFAULT_RETRIES = 2


def _default_timeout() -> httpx.Timeout:
    return DEFAULT_TIMEOUT


@dataclass(frozen=True)
class ServiceRoute:
    """One upstream service: its name (the identity token's audience) and base URL.

    ``timeout`` is an :class:`httpx.Timeout` or one number of seconds for connect, read,
    write and pool alike. ``retries`` counts extra attempts after a connect failure, made
    only for idempotent methods, ``backoff_seconds`` apart (doubling, with jitter).

    Example::

        ServiceRoute("commerce", "http://commerce:8000", timeout=httpx.Timeout(10, connect=1))
    """

    name: str
    base_url: str
    timeout: httpx.Timeout | float = field(default_factory=_default_timeout)
    retries: int = DEFAULT_RETRIES
    backoff_seconds: float = 0.05

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a service route needs a name")
        url = httpx.URL(self.base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{self.name}: base_url must be an http(s) URL, not {self.base_url!r}")
        if url.query or url.fragment:
            raise ValueError(f"{self.name}: base_url must not carry a query or fragment")
        if self.retries < 0 or self.backoff_seconds < 0:
            raise ValueError(f"{self.name}: retries and backoff_seconds must not be negative")

    @property
    def timeouts(self) -> httpx.Timeout:
        """The timeout as an :class:`httpx.Timeout`."""
        if isinstance(self.timeout, httpx.Timeout):
            return self.timeout
        return httpx.Timeout(float(self.timeout))

    def url(self, path: str, query: str = "") -> httpx.URL:
        """The upstream URL of ``path`` (already percent-encoded) and raw ``query``."""
        if not path.startswith("/"):
            path = "/" + path
        target = self.base_url.rstrip("/") + path
        return httpx.URL(target + "?" + query if query else target)


def routes_from_urls(
    urls: Mapping[str, str],
    *,
    timeout: httpx.Timeout | float | None = None,
    retries: int = DEFAULT_RETRIES,
) -> dict[str, ServiceRoute]:
    """Routes for a ``{name: base_url}`` map (such as the gateway's ``service_urls``).

    Example::

        routes_from_urls({"commerce": "http://127.0.0.1:8002"}, timeout=15.0)
    """
    chosen = DEFAULT_TIMEOUT if timeout is None else timeout
    return {
        name: ServiceRoute(name=name, base_url=url, timeout=chosen, retries=retries)
        for name, url in urls.items()
    }
