"""Every component starts with probes, metrics, problem+json and identity enforcement."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from tests.conftest import Keys, serve

SERVICES = {
    "billing": "/v1/billing",
    "commerce": "/v1/commerce",
    "analytics": "/v1/analytics",
    "automation": "/v1/automation",
    "price-intel": "/v1/price-intel",
    "vin-intel": "/v1/vin",
    "trading": "/v1/trading",
}


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
async def test_probes_and_metrics_answer(
    component_app: Callable[[str], FastAPI], name: str
) -> None:
    async with serve(component_app(name)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] == "ok"
    assert "velox_http_requests_total" in metrics.text
    assert f'service="{name}"' in metrics.text


@pytest.mark.parametrize("name", SERVICES)
async def test_service_refuses_requests_without_identity(
    component_app: Callable[[str], FastAPI], name: str
) -> None:
    async with serve(component_app(name)) as client:
        response = await client.get(f"{SERVICES[name]}/anything")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-identity")
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("name", SERVICES)
async def test_service_accepts_a_gateway_identity_for_its_audience(
    component_app: Callable[[str], FastAPI], keys: Keys, name: str
) -> None:
    headers = {"X-Velox-Identity": keys.token(name)}
    async with serve(component_app(name)) as client:
        response = await client.get(f"{SERVICES[name]}/no/such/route", headers=headers)
    # Past the identity check: the route does not exist (one segment would be a VIN).
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


async def test_identity_for_another_service_is_refused(
    component_app: Callable[[str], FastAPI], keys: Keys
) -> None:
    headers = {"X-Velox-Identity": keys.token("billing")}
    async with serve(component_app("commerce")) as client:
        response = await client.get("/v1/commerce/orders", headers=headers)
    assert response.status_code == 401
    assert "audience" in response.json()["detail"].lower()


async def test_request_id_is_taken_from_the_caller(
    component_app: Callable[[str], FastAPI],
) -> None:
    async with serve(component_app("trading")) as client:
        response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        bogus = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] == "abc-123"
    assert bogus.headers["x-request-id"].startswith("req_")


async def test_readyz_reports_redis_down(
    component_app: Callable[[str], FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = component_app("analytics")
    # Rebuild with an unreachable Redis: readiness must say so, not crash.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    from velox_analytics.app import create_app

    async with serve(create_app()) as client:
        response = await client.get("/readyz")
    assert app is not None
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"]["redis"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"
