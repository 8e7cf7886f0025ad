"""API keys through the gateway's own endpoints: shown once, listed, rotated, revoked."""

from __future__ import annotations

import asyncio

import httpx

from tests.gateway.conftest import Tenants


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_key_is_shown_once_and_authenticates(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    owner = await tenants.signup("ann")
    created = await tenants.key(owner["access_token"], scopes=["vin:read"])
    key = str(created["key"])
    assert key.startswith("vx_test_")
    assert created["prefix"] == key[:16]
    listed = await gateway.get("/v1/api-keys", headers=bearer(owner["access_token"]))
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert "key" not in item
    assert item["scopes"] == ["vin:read"]
    me = await gateway.get("/v1/accounts/me", headers={"X-API-Key": key})
    assert me.status_code == 200
    assert me.json()["principal_kind"] == "api_key"


async def test_bad_keys_are_refused_with_problems(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    owner = await tenants.signup("ben")
    key = str((await tenants.key(owner["access_token"]))["key"])
    for candidate in (key[:-1] + ("x" if key[-1] != "x" else "y"), "vx_test_nope", "garbage"):
        response = await gateway.get("/v1/accounts/me", headers={"X-API-Key": candidate})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    missing = await gateway.get("/v1/accounts/me")
    assert missing.status_code == 401
    assert missing.json()["type"].endswith("/authentication-required")


async def test_keys_cannot_manage_keys(tenants: Tenants, gateway: httpx.AsyncClient) -> None:
    owner = await tenants.signup("cat")
    key = str((await tenants.key(owner["access_token"]))["key"])
    response = await gateway.post("/v1/api-keys", json={"name": "x"}, headers={"X-API-Key": key})
    assert response.status_code == 403
    bad = await gateway.post(
        "/v1/api-keys",
        json={"name": "", "scopes": ["root"]},
        headers=bearer(owner["access_token"]),
    )
    assert bad.status_code == 422


async def test_revoked_keys_stop_working_within_a_second(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    owner = await tenants.signup("dan")
    created = await tenants.key(owner["access_token"])
    key = str(created["key"])
    assert (await gateway.get("/v1/usage", headers={"X-API-Key": key})).status_code == 200
    revoked = await gateway.delete(
        f"/v1/api-keys/{created['id']}", headers=bearer(owner["access_token"])
    )
    assert revoked.status_code == 204
    await asyncio.sleep(1.1)
    assert (await gateway.get("/v1/usage", headers={"X-API-Key": key})).status_code == 401


async def test_rotation_keeps_the_old_key_for_its_grace_period(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    owner = await tenants.signup("ed")
    old = await tenants.key(owner["access_token"], scopes=["vin:*"])
    rotated = await gateway.post(
        f"/v1/api-keys/{old['id']}/rotate",
        json={"grace_seconds": 0},
        headers=bearer(owner["access_token"]),
    )
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["scopes"] == ["vin:*"]
    assert new["key"] != old["key"]
    await asyncio.sleep(1.1)
    assert (
        await gateway.get("/v1/usage", headers={"X-API-Key": str(old["key"])})
    ).status_code == 401
    assert (await gateway.get("/v1/usage", headers={"X-API-Key": new["key"]})).status_code == 200


async def test_one_account_never_sees_or_touches_anothers_keys(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    alice, mallory = await tenants.signup("alice"), await tenants.signup("mallory")
    alice_key = await tenants.key(alice["access_token"])
    theirs = await gateway.get("/v1/api-keys", headers=bearer(mallory["access_token"]))
    assert theirs.json()["items"] == []
    for call in (
        gateway.delete(f"/v1/api-keys/{alice_key['id']}", headers=bearer(mallory["access_token"])),
        gateway.post(
            f"/v1/api-keys/{alice_key['id']}/rotate", headers=bearer(mallory["access_token"])
        ),
    ):
        assert (await call).status_code == 404
    me = await gateway.get("/v1/accounts/me", headers={"X-API-Key": str(alice_key["key"])})
    assert me.json()["id"] == alice["account_id"]


async def test_listing_pages_with_a_cursor(tenants: Tenants, gateway: httpx.AsyncClient) -> None:
    owner = await tenants.signup("fin")
    made = [str((await tenants.key(owner["access_token"]))["id"]) for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await gateway.get("/v1/api-keys", params=params, headers=bearer(owner["access_token"]))
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    bad = await gateway.get(
        "/v1/api-keys", params={"cursor": "!!"}, headers=bearer(owner["access_token"])
    )
    assert bad.status_code == 400
