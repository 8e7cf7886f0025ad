"""Fetch every service's ``/openapi.json``, merge with the gateway's, cache the result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from velox_gateway.openapi.merge import merge_openapi

__all__ = ["OpenAPIAggregator"]

_log = logging.getLogger("velox.gateway.openapi")


class OpenAPIAggregator:
    """The platform's merged OpenAPI document, rebuilt at most every ``ttl`` seconds.

    Services are asked concurrently, each within ``timeout`` seconds. A service that does
    not answer keeps its last good document (listed in ``x-velox-stale``); one that never
    answered is left out (listed in ``x-velox-unavailable``), and then the next attempt
    comes after ``retry`` seconds instead of ``ttl``. ``title``, ``version`` and
    ``description`` default to the gateway document's ``info``.

    Example::

        aggregator = OpenAPIAggregator(http, {"commerce": "http://commerce:8000"})
        document = await aggregator.document(app.openapi())
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        services: Mapping[str, str],
        *,
        ttl: float = 60.0,
        retry: float = 10.0,
        timeout: float = 2.0,
        title: str | None = None,
        version: str | None = None,
        description: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._services = dict(services)
        self._ttl, self._retry, self._timeout = ttl, min(retry, ttl), timeout
        self._info = {"title": title, "version": version, "description": description}
        self._clock = clock
        self._lock = asyncio.Lock()
        self._docs: dict[str, dict[str, Any]] = {}
        self._stale: list[str] = []
        self._expires = float("-inf")
        self._merged: dict[str, Any] | None = None
        self._merged_for: dict[str, Any] | None = None

    async def document(self, gateway_doc: dict[str, Any]) -> dict[str, Any]:
        """The merged document (shared between callers: do not mutate it)."""
        async with self._lock:
            if self._clock() >= self._expires:
                await self._refresh()
            if self._merged is None or not _same(self._merged_for, gateway_doc):
                self._merged = self._merge(gateway_doc)
                self._merged_for = gateway_doc
            return self._merged

    async def _refresh(self) -> None:
        names = list(self._services)
        fetched = await asyncio.gather(*(self._fetch(name) for name in names))
        self._stale = []
        for name, doc in zip(names, fetched, strict=True):
            if doc is not None:
                self._docs[name] = doc
            elif name in self._docs:
                self._stale.append(name)
        missing = any(doc is None for doc in fetched)
        self._expires = self._clock() + (self._retry if missing else self._ttl)
        self._merged = None

    async def _fetch(self, name: str) -> dict[str, Any] | None:
        url = self._services[name].rstrip("/") + "/openapi.json"
        try:
            response = await self._client.get(url, timeout=self._timeout)
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            _log.warning(
                "openapi fetch failed", extra={"service": name, "error": type(exc).__name__}
            )
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            _log.warning("openapi fetch returned no document", extra={"service": name})
            return None
        return doc

    def _merge(self, gateway_doc: dict[str, Any]) -> dict[str, Any]:
        info = gateway_doc.get("info") or {}

        def pick(field: str, fallback: str) -> str:
            chosen = self._info[field]
            return chosen if chosen is not None else str(info.get(field) or fallback)

        merged = merge_openapi(
            gateway_doc,
            {name: self._docs.get(name) for name in self._services},
            title=pick("title", "Velox API"),
            version=pick("version", "0.1.0"),
            description=pick("description", ""),
        )
        if self._stale:
            merged["x-velox-stale"] = list(self._stale)
        return merged


def _same(previous: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    return previous is current or previous == current
