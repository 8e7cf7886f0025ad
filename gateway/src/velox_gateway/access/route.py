"""The one route every proxied path takes, matched with a set lookup.

A route per product family would be tried one after the other, on every request, before
the pipeline even starts; every family prefix has the form ``/v1/<name>``, so one lookup of
the path's first two segments decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, request_response
from starlette.types import Receive, Scope, Send

__all__ = ["PROXY_METHODS", "FamilyRoute"]

PROXY_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class FamilyRoute(BaseRoute):
    """Matches ``prefix`` and everything below it, for each of ``prefixes`` (``/v1/<name>``).

    Example::

        app.router.routes.insert(0, FamilyRoute(["/v1/vin", "/v1/billing"], endpoint))
    """

    def __init__(
        self, prefixes: Iterable[str], endpoint: Callable[[Request], Awaitable[Response]]
    ) -> None:
        self.prefixes = frozenset(prefixes)
        for prefix in self.prefixes:
            if prefix.count("/") != 2 or not prefix.startswith("/") or prefix.endswith("/"):
                raise ValueError(f"a family prefix has the form /v1/<name>, not {prefix!r}")
        self.app = request_response(endpoint)
        self.include_in_schema = False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        end = path.find("/", path.find("/", 1) + 1)
        if (path if end < 0 else path[:end]) not in self.prefixes:
            return Match.NONE, {}
        return (Match.FULL if scope["method"] in PROXY_METHODS else Match.PARTIAL), {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in PROXY_METHODS:
            allow = ", ".join(sorted(PROXY_METHODS))
            raise HTTPException(status_code=405, headers={"Allow": allow})
        await self.app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)
