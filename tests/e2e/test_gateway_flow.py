"""A partner's whole journey through real processes: sign up, key, call, limits, refusal."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from redis.asyncio import Redis
from redis.asyncio.connection import parse_url
from velox_shared.contracts.billing import AccountPlansChanged
from velox_shared.contracts.usage import UsageRecorded
from velox_shared.events import EventEnvelope, new_envelope, stream_for

from tests.conftest import DbInfo, Servers
from tests.e2e.stack import (
    Stack,
    free_port_base,
    gateway_env,
    running_stack,
    velox_cli,
    write_billing_policy,
    write_catalogue,
)
from tests.redis_proxy import RedisProxy

pytestmark = pytest.mark.e2e


def small_limits(families: dict[str, Any]) -> None:
    """Limits small enough to reach in a test."""
    families["vin"]["tiers"]["free"].update(rate_per_minute=1, burst=5)
    families["billing"]["tiers"]["free"]["quotas"] = {"billing.lookups": 3}


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, database: DbInfo, servers: Servers
) -> AsyncIterator[Stack]:
    tmp = tmp_path_factory.mktemp("gwflow")
    plans = write_catalogue(tmp, small_limits)
    env = {
        "GATEWAY_ROUTE_POLICY_FILE": write_billing_policy(tmp),
    }
    async with running_stack(tmp, database, servers, plans, env) as running:
        yield running


@asynccontextmanager
async def extra_gateway(env: dict[str, str]) -> AsyncIterator[str]:
    """One more gateway process (uvicorn) with ``env``; yields its base URL."""
    port = free_port_base()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "velox_gateway.app:create_app",
        "--factory",
        "--port",
        str(port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    if (await client.get(url + "/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        await process.wait()


@pytest.fixture(scope="module")
async def second_gateway(stack: Stack) -> AsyncIterator[str]:
    """Another gateway process on the same Redis and database; trading is unreachable."""
    env = gateway_env(stack)
    urls = json.loads(env["VELOX_SERVICE_URLS"])
    urls["trading"] = f"http://127.0.0.1:{free_port_base() + 1}"  # nothing listens there
    env["VELOX_SERVICE_URLS"] = json.dumps(urls)
    async with extra_gateway(env) as url:
        yield url


async def test_partner_signs_up_gets_a_key_and_calls_a_service(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        signup = await client.post(
            "/v1/auth/signup",
            json={
                "email": f"p{os.getpid()}@e2e.example.com",
                "password": "e2e password!",
                "account_name": "e2e",
            },
        )
        assert signup.status_code == 201, signup.text
        token = signup.json()["access_token"]
        key = (
            await client.post(
                "/v1/api-keys", json={"name": "ci"}, headers={"Authorization": f"Bearer {token}"}
            )
        ).json()["key"]
        plans = await client.get("/v1/billing/plans", headers={"X-API-Key": key})
    assert plans.status_code == 200
    assert {f["family"] for f in plans.json()["families"]} >= {"vin", "billing"}
    assert plans.headers["ratelimit-limit"]
    assert int(plans.headers["ratelimit-remaining"]) >= 0
    assert plans.headers["x-request-id"]


async def test_rate_limit_admits_exactly_the_burst(stack: Stack) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "rl", "--plan", "vin:free")
    headers = {"X-API-Key": made["api_key"]}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.get("/v1/vin/anything", headers=headers) for _ in range(20))
        )
    limited = [r for r in responses if r.status_code == 429]
    assert len(responses) - len(limited) == 5  # burst 5, one more per minute
    assert all(r.json()["type"].endswith("/rate-limited") for r in limited)
    assert all(int(r.headers["retry-after"]) >= 1 for r in limited)


async def test_quota_then_entitlement_refusals(stack: Stack) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "q", "--plan", "billing:free")
    headers = {"X-API-Key": made["api_key"]}
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        codes = [
            (await client.get("/v1/billing/plans", headers=headers)).status_code for _ in range(4)
        ]
        exhausted = await client.get("/v1/billing/plans", headers=headers)
        denied = await client.get("/v1/billing/plans/vin", headers=headers)
        usage = await client.get("/v1/usage", headers=headers)
    assert codes == [200, 200, 200, 429]
    assert exhausted.json()["type"].endswith("/quota-exceeded")
    assert denied.status_code == 403
    assert denied.json()["feature"] == "billing.family"
    assert denied.json()["required_plan"] == "billing:pro"
    lookups = next(i for i in usage.json()["items"] if i["operation"] == "billing.lookups")
    assert (lookups["used"], lookups["limit"], lookups["remaining"]) == (3, 3, 0)
    upgraded = await velox_cli(
        stack, "accounts", "set-plan", made["account_id"], "--plan", "billing:pro"
    )
    assert upgraded["plans"]["billing"] == "pro"
    await asyncio.sleep(2.5)  # plan caches live at most two seconds
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        allowed = await client.get("/v1/billing/plans/vin", headers=headers)
    assert allowed.status_code == 200


async def raw_get(base_url: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (HTTP clients resolve dot segments before sending)."""
    url = httpx.URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {url.host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_dot_segments_cannot_walk_around_the_route_policy(stack: Stack) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "dots", "--plan", "billing:free")
    headers = {"X-API-Key": made["api_key"]}
    # Resolved, each path is /v1/billing/plans/vin, which billing:free is not entitled to.
    for path in (
        "/v1/billing/x/../plans/vin",
        "/v1/billing/x/%2e%2e/plans/vin",
        "/v1/billing/./plans/vin",
    ):
        status, body = await raw_get(stack.gateway, path, headers)
        assert status == 400, (path, body)
        assert json.loads(body)["type"].endswith("/ambiguous-path")
    status, body = await raw_get(stack.gateway, "/v1/billing/plans/vin", headers)
    assert status == 403, body


async def test_revocation_reaches_another_gateway_within_a_second(
    stack: Stack, second_gateway: str
) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "rv", "--plan", "billing:pro")
    headers = {"X-API-Key": made["api_key"]}
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(second_gateway + "/v1/usage", headers=headers)).status_code == 200
        await velox_cli(stack, "keys", "revoke", made["api_key_id"])
        await asyncio.sleep(1.0)
        refused = await client.get(second_gateway + "/v1/usage", headers=headers)
    assert refused.status_code == 401


async def test_a_service_that_is_down_answers_503_quickly(
    second_gateway: str, stack: Stack
) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "down", "--plan", "trading:pro")
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            second_gateway + "/v1/trading/strategies", headers={"X-API-Key": made["api_key"]}
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "trading" in response.json()["detail"]


async def test_metered_calls_emit_usage_events_for_billing(stack: Stack, servers: Servers) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "use", "--plan", "billing:free")
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        for _ in range(2):
            ok = await client.get("/v1/billing/plans", headers={"X-API-Key": made["api_key"]})
            assert ok.status_code == 200
    redis = Redis.from_url(servers.redis_url)
    try:
        entries: Any = await redis.xrevrange("velox:events:gateway", count=500)
    finally:
        await redis.aclose()
    mine = [
        EventEnvelope.model_validate_json(fields[b"envelope"])
        for _, fields in entries
        if made["account_id"].encode() in fields[b"envelope"]
    ]
    assert [e.type for e in mine] == ["gateway.usage.recorded"] * 2
    usage = UsageRecorded.model_validate(mine[0].payload)
    assert (usage.operation, usage.units, usage.principal_id) == (
        "billing.lookups",
        1,
        made["api_key_id"],
    )


async def test_one_openapi_document_for_the_platform(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        document = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert {"/v1/auth/signup", "/v1/api-keys", "/v1/accounts/me", "/v1/billing/plans"} <= set(
        document["paths"]
    )
    assert {"ApiKeyHeader", "BearerAuth"} <= set(document["components"]["securitySchemes"])
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_a_plan_change_from_billing_reaches_every_gateway(
    stack: Stack, second_gateway: str, servers: Servers
) -> None:
    made = await velox_cli(stack, "accounts", "create", "--name", "up", "--plan", "billing:free")
    headers = {"X-API-Key": made["api_key"]}
    change = AccountPlansChanged(
        account_id=made["account_id"], plans={"billing": "pro"}, changed_at=datetime.now(UTC)
    )
    envelope = new_envelope(change, account_id=made["account_id"])
    redis = Redis.from_url(servers.redis_url)
    async with httpx.AsyncClient(timeout=10) as client:
        for gateway in (stack.gateway, second_gateway):
            denied = await client.get(gateway + "/v1/billing/plans/vin", headers=headers)
            assert denied.status_code == 403
        entry = await redis.xadd(
            stream_for(change.event_type), {"envelope": envelope.model_dump_json()}
        )
        try:
            for gateway in (stack.gateway, second_gateway):
                for _ in range(60):
                    allowed = await client.get(gateway + "/v1/billing/plans/vin", headers=headers)
                    if allowed.status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                assert allowed.status_code == 200, allowed.text
        finally:
            await redis.xdel(stream_for(change.event_type), entry)
            await redis.aclose()


async def test_with_redis_down_rates_degrade_and_nothing_opens_up(
    stack: Stack, servers: Servers
) -> None:
    made = await velox_cli(
        stack, "accounts", "create", "--name", "out", "--plan", "vin:free", "--plan", "billing:free"
    )
    other = await velox_cli(stack, "accounts", "create", "--name", "out2", "--plan", "billing:free")
    parts = parse_url(servers.redis_url)
    proxy = RedisProxy(
        str(parts.get("host", "127.0.0.1")), int(parts.get("port", 6379)), int(parts.get("db", 0))
    )
    await proxy.start()
    env = {**gateway_env(stack), "REDIS_URL": proxy.url}
    headers = {"X-API-Key": made["api_key"]}
    try:
        async with (
            extra_gateway(env) as gateway,
            httpx.AsyncClient(base_url=gateway, timeout=10) as client,
        ):
            assert (await client.get("/v1/billing/plans", headers=headers)).status_code == 200
            await proxy.stop()  # Redis is gone for this gateway
            # Quotas cannot be counted: metered calls are refused, not let through uncounted.
            metered = await client.get("/v1/billing/plans", headers=headers)
            assert metered.status_code == 503, metered.text
            assert metered.headers["content-type"] == "application/problem+json"
            # Rate limits fall back to this process: still the plan's burst of 5, exactly.
            codes = [
                (await client.get("/v1/vin/anything", headers=headers)).status_code
                for _ in range(8)
            ]
            assert codes.count(429) == 3, codes
            # Keys are checked against the database: a revoked key is refused within a second.
            await velox_cli(stack, "keys", "revoke", made["api_key_id"])
            await asyncio.sleep(1.1)
            refused = await client.get("/v1/vin/anything", headers=headers)
            assert refused.status_code == 401
            # Redis back: metered calls are counted again.
            await proxy.start()
            back = None
            for _ in range(50):
                back = await client.get(
                    "/v1/billing/plans", headers={"X-API-Key": other["api_key"]}
                )
                if back.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert back is not None and back.status_code == 200
    finally:
        await proxy.stop()
