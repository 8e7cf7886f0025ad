"""The proxied paths' one route: which paths it takes, which methods it answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from starlette.routing import Match
from velox_gateway.access.route import FamilyRoute


async def _endpoint(request: object) -> object:
    raise AssertionError("not called")


def scope(path: str, method: str = "GET") -> dict[str, object]:
    return {"type": "http", "path": path, "method": method}


def test_the_prefix_and_everything_below_it_match_nothing_else() -> None:
    route = FamilyRoute(["/v1/vin", "/v1/billing"], _endpoint)  # type: ignore[arg-type]
    for path in ("/v1/vin", "/v1/vin/", "/v1/vin/1HGCM82633A004352", "/v1/billing/plans/x"):
        assert route.matches(scope(path))[0] is Match.FULL, path
    for path in ("/v1/vinx", "/v1/vi", "/v1", "/", "/v2/vin/x", "/v1/accounts/me", "/v1/usage"):
        assert route.matches(scope(path))[0] is Match.NONE, path
    assert route.matches(scope("/v1/vin/x", "TRACE"))[0] is Match.PARTIAL
    assert route.matches({"type": "websocket", "path": "/v1/vin/x"})[0] is Match.NONE


def test_a_prefix_that_is_not_one_family_segment_is_refused() -> None:
    for prefix in ("/v1/vin/x", "v1/vin", "/v1/vin/", "/vin"):
        with pytest.raises(ValueError, match="family prefix"):
            FamilyRoute([prefix], _endpoint)  # type: ignore[arg-type]


def test_the_gateway_tries_the_family_route_first(
    component_app: Callable[[str], FastAPI],
) -> None:
    app = component_app("gateway")
    first = app.router.routes[0]
    assert isinstance(first, FamilyRoute)
    assert "/v1/vin" in first.prefixes and "/v1/billing" in first.prefixes
