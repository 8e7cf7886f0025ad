"""Route settings, header rules and the package's public surface."""

from __future__ import annotations

import httpx
import pytest
import velox_gateway.proxy as proxy_package
from velox_gateway.proxy import DEFAULT_TIMEOUT, ServiceRoute, routes_from_urls
from velox_gateway.proxy.headers import Forwarding, downstream_headers, upstream_headers


def test_route_timeout_in_seconds_applies_to_every_phase() -> None:
    route = ServiceRoute("svc", "http://svc:8000", timeout=3.0)
    assert route.timeouts == httpx.Timeout(3.0)
    assert ServiceRoute("svc", "http://svc:8000").timeouts == DEFAULT_TIMEOUT


def test_route_url_joins_base_path_and_query() -> None:
    route = ServiceRoute("svc", "https://svc.internal/api/")
    assert str(route.url("/v1/items", "a=1&b=%20")) == "https://svc.internal/api/v1/items?a=1&b=%20"
    assert str(route.url("items")) == "https://svc.internal/api/items"


@pytest.mark.parametrize("base_url", ["svc:8000", "ftp://svc", "http://svc/?x=1", "http:///nohost"])
def test_route_refuses_unusable_base_urls(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        ServiceRoute("svc", base_url)


def test_route_refuses_negative_retries() -> None:
    with pytest.raises(ValueError, match="retries"):
        ServiceRoute("svc", "http://svc", retries=-1)


def test_routes_from_urls_names_each_route_after_its_key() -> None:
    routes = routes_from_urls({"commerce": "http://c:1", "vin-intel": "http://v:2"}, retries=1)
    assert {n: (r.name, r.base_url, r.retries) for n, r in routes.items()} == {
        "commerce": ("commerce", "http://c:1", 1),
        "vin-intel": ("vin-intel", "http://v:2", 1),
    }


def test_headers_named_by_connection_are_dropped_case_insensitively() -> None:
    raw = [
        (b"connection", b"X-One,  x-two"),
        (b"connection", b"close"),
        (b"x-one", b"1"),
        (b"X-Two", b"2"),
        (b"proxy-anything", b"3"),
        (b"accept", b"*/*"),
    ]
    forwarding = Forwarding("tok", None, None, "https", None)
    assert upstream_headers(raw, forwarding) == [
        ("accept", "*/*"),
        ("X-Velox-Identity", "tok"),
        ("X-Forwarded-Proto", "https"),
    ]


def test_service_headers_the_gateway_writes_itself_are_not_duplicated() -> None:
    raw = [
        (b"Date", b"Sun, 01 Jan 2026 00:00:00 GMT"),
        (b"Server", b"uvicorn"),
        (b"X-Request-ID", b"req_1"),
        (b"Transfer-Encoding", b"chunked"),
        (b"ETag", b'"abc"'),
    ]
    assert downstream_headers(raw) == [(b"etag", b'"abc"')]


def test_public_surface_is_pinned() -> None:
    assert sorted(proxy_package.__all__) == [
        "BadGateway",
        "BreakerState",
        "CircuitBreaker",
        "CircuitOpen",
        "DEFAULT_MAX_BODY_BYTES",
        "DEFAULT_RETRIES",
        "DEFAULT_TIMEOUT",
        "IDEMPOTENT_METHODS",
        "PayloadTooLarge",
        "ServiceDown",
        "ServiceProxy",
        "ServiceRoute",
        "ServiceTimeout",
        "UnknownService",
        "UpstreamResponse",
        "routes_from_urls",
    ]
