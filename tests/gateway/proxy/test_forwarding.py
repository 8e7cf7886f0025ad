"""What crosses the proxy: method, path, query, body, headers, identity; what does not."""

from __future__ import annotations

import httpx
import pytest
from velox_gateway.proxy import ServiceRoute
from velox_shared.identity import IdentityVerifier, InvalidIdentity

from tests.conftest import Keys
from tests.gateway.proxy.support import Upstream, in_process, make_proxy, problem_type


def echo_route(upstream: Upstream) -> ServiceRoute:
    return ServiceRoute("echo", upstream.url)


async def test_request_reaches_the_service_with_method_path_query_body_and_headers(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        response = await client.post(
            "/echo/items/42?b=2&a=1&a=3",
            content=b'{"name": "widget"}',
            headers={"content-type": "application/json", "x-custom": "yes"},
        )
    assert response.status_code == 200
    assert response.json() == {"method": "POST", "path": "/items/42", "size": 18}
    seen = upstream.last
    assert (seen.method, seen.path, seen.query) == ("POST", "/items/42", "b=2&a=1&a=3")
    assert seen.head == b'{"name": "widget"}'
    assert seen.header("content-type") == ["application/json"]
    assert seen.header("content-length") == ["18"]
    assert seen.header("x-custom") == ["yes"]
    assert seen.header("host") == [upstream.url.removeprefix("http://")]


async def test_service_gets_an_identity_token_for_its_own_audience_and_the_request_id(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        response = await client.get("/echo/me", headers={"x-request-id": "req_fwd_1"})
    assert response.status_code == 200
    assert response.headers.get_list("x-request-id") == ["req_fwd_1"]
    [token] = upstream.last.header("x-velox-identity")
    identity = IdentityVerifier(keys.public, audience="echo").verify(token)
    assert (identity.account_id, identity.principal_id) == ("acc_1", "key_1")
    # The request id travels beside the token (which is reused across requests).
    assert identity.request_id is None
    assert upstream.last.header("x-request-id") == ["req_fwd_1"]
    with pytest.raises(InvalidIdentity):
        IdentityVerifier(keys.public, audience="billing").verify(token)


async def test_forwarded_headers_append_the_client_and_name_proto_and_host(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        await client.get(
            "/echo/x",
            headers=[
                ("x-forwarded-for", "198.51.100.7"),
                ("x-forwarded-for", "203.0.113.1"),
                ("x-forwarded-proto", "gopher"),
                ("x-forwarded-host", "evil.example"),
            ],
        )
    seen = upstream.last
    # httpx's ASGI transport presents the client as 127.0.0.1.
    assert seen.header("x-forwarded-for") == ["198.51.100.7, 203.0.113.1, 127.0.0.1"]
    assert seen.header("x-forwarded-proto") == ["http"]
    assert seen.header("x-forwarded-host") == ["gateway.test"]


async def test_client_credentials_never_reach_the_service(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    forged = keys.token("echo", account="acc_victim")
    async with in_process(proxy) as client:
        response = await client.get(
            "/echo/x",
            headers={
                "authorization": "Bearer vx_live_secret",
                "x-api-key": "vx_live_secret",
                "cookie": "session=secret",
                "x-velox-identity": forged,
            },
        )
    assert response.status_code == 200
    seen = upstream.last
    for name in ("authorization", "x-api-key", "cookie"):
        assert seen.header(name) == [], name
    [token] = seen.header("x-velox-identity")
    assert token != forged
    assert IdentityVerifier(keys.public, audience="echo").verify(token).account_id == "acc_1"


async def test_hop_by_hop_request_headers_are_stripped(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        await client.get(
            "/echo/x",
            headers={
                "connection": "keep-alive, x-hop",
                "x-hop": "secret",
                "keep-alive": "timeout=5",
                "te": "trailers",
                "trailer": "x-checksum",
                "upgrade": "websocket",
                "proxy-authorization": "Basic Zm9vOmJhcg==",
                "x-end-to-end": "kept",
            },
        )
    seen = upstream.last
    for name in ("x-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization"):
        assert seen.header(name) == [], name
    assert "keep-alive" not in [v.lower() for v in seen.header("connection")]
    assert seen.header("x-end-to-end") == ["kept"]


async def test_service_answer_keeps_status_body_and_headers_minus_hop_by_hop(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        response = await client.get("/echo/teapot")
    assert response.status_code == 418
    assert response.content == b"short and stout"
    assert response.headers["content-type"] == "application/x-tea"
    assert response.headers["x-custom"] == "kept"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    for name in ("x-up-hop", "keep-alive", "proxy-authenticate", "transfer-encoding"):
        assert name not in response.headers, name
    # The service's cookies went to the caller, not into the client shared by all callers.
    assert list(upstream_client.cookies.jar) == []


async def test_request_without_body_is_sent_without_one(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        got = await client.get("/echo/x")
        head = await client.head("/echo/x")
        deleted = await client.delete("/echo/x")
    assert (got.status_code, head.status_code, deleted.status_code) == (200, 200, 200)
    assert head.content == b""
    assert [s.method for s in upstream.seen] == ["GET", "HEAD", "DELETE"]
    for seen in upstream.seen:
        assert seen.header("transfer-encoding") == []
        assert seen.size == 0


async def test_own_path_is_kept_percent_encoded_when_no_path_is_given(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, echo_route(upstream))
    async with in_process(proxy) as client:
        response = await client.get("/same/echo/files/a%2Fb%20c?q=%C3%A9")
    assert response.status_code == 200
    assert upstream.last.raw_path == "/same/echo/files/a%2Fb%20c"
    assert upstream.last.query == "q=%C3%A9"


async def test_base_url_path_prefix_is_kept(
    upstream: Upstream, upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys, ServiceRoute("echo", upstream.url + "/internal/"))
    async with in_process(proxy) as client:
        await client.get("/echo/items")
    assert upstream.last.path == "/internal/items"


async def test_unknown_service_is_a_404_problem(
    upstream_client: httpx.AsyncClient, keys: Keys
) -> None:
    proxy = make_proxy(upstream_client, keys)
    async with in_process(proxy) as client:
        response = await client.get("/nowhere/x")
    assert response.status_code == 404
    assert problem_type(response) == "unknown-service"
    assert "nowhere" in response.json()["detail"]
