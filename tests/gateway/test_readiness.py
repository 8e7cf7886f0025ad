"""The gateway's /readyz answers for every service it routes to."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from velox_devstack.embedded import free_port

from tests.conftest import serve


async def test_gateway_is_not_ready_while_a_service_is_down(
    component_app: Callable[[str], FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("VELOX_SERVICE_URLS", json.dumps({"commerce": dead}))
    async with serve(component_app("gateway")) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "service:commerce": "error: ConnectError",
        "catalog": "ok",
    }


async def test_gateway_is_ready_when_its_services_are(
    component_app: Callable[[str], FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VELOX_SERVICE_URLS", "{}")
    async with serve(component_app("gateway")) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "catalog": "ok"},
    }
