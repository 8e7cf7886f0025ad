"""Every error is RFC 9457 problem+json with the request id and no stack trace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from velox_shared.errors import Conflict, install_error_handlers
from velox_shared.observability import RequestContextMiddleware


class Widget(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    size: int = Field(gt=0)


class WidgetTaken(Conflict):
    problem = "widget-taken"
    title = "Widget name taken"


def build() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service="test")

    @app.post("/widgets")
    async def create(widget: Widget) -> Widget:
        if widget.name == "taken":
            raise WidgetTaken("A widget called 'taken' exists", extensions={"name": "taken"})
        if widget.name == "clash":
            # Extensions named like standard members must not replace them.
            clash = {"status": "sold", "type": "x", "title": "y", "detail": "z", "extra": 1}
            raise WidgetTaken("A widget called 'clash' exists", extensions=clash)
        return widget

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def assert_problem(response: httpx.Response, status: int, problem: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"https://docs.velox.dev/problems/{problem}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_domain_error_keeps_its_type_and_extensions(client: httpx.AsyncClient) -> None:
    response = await client.post("/widgets", json={"name": "taken", "size": 1})
    body = assert_problem(response, 409, "widget-taken")
    assert body["name"] == "taken"
    assert body["instance"] == "/widgets"


async def test_an_extension_never_replaces_a_standard_member(client: httpx.AsyncClient) -> None:
    response = await client.post("/widgets", json={"name": "clash", "size": 1})
    body = assert_problem(response, 409, "widget-taken")
    assert body["detail"] == "A widget called 'clash' exists"
    assert body["extra"] == 1


async def test_validation_errors_are_problems_listing_each_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/widgets", json={"name": "", "size": 0})
    body = assert_problem(response, 422, "validation-error")
    locs = {tuple(e["loc"]) for e in body["errors"]}  # type: ignore[attr-defined]
    assert locs == {("body", "name"), ("body", "size")}


async def test_malformed_json_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/widgets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation-error")


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/nope"), 404, "not-found")
    assert_problem(await client.delete("/widgets"), 405, "method-not-allowed")


async def test_unexpected_error_is_a_500_problem_without_internals(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/boom")
    body = assert_problem(response, 500, "internal-error")
    assert "passwd" not in response.text
    assert "Traceback" not in response.text
    assert "request id" in str(body["detail"])
