"""/v1/members: listing, adding by email, roles, removal, last-owner rule, tenant isolation."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.gateway.conftest import Tenants


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(gateway: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await gateway.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def mailed_token(gateway: httpx.AsyncClient, to: str) -> str:
    """The last password token the gateway's (log) mail sender sent to ``to``."""
    app: FastAPI = gateway._transport.app  # type: ignore[attr-defined]
    bodies = [body for rcpt, _, body in app.state.gateway.mail.sent if rcpt == to]
    found = re.search(r"(pr_\S+)", bodies[-1]) if bodies else None
    assert found is not None, "the token goes through the mail sender"
    return found.group(1)


async def add(
    gateway: httpx.AsyncClient, token: str, email: str, role: str = "member"
) -> httpx.Response:
    return await gateway.post(
        "/v1/members", json={"email": email, "role": role}, headers=bearer(token)
    )


async def test_owner_adds_a_new_person_who_sets_a_password_from_the_mail(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    ada = await tenants.signup("ada")
    added = await add(gateway, ada["access_token"], tenants.email("bob"), "admin")
    assert added.status_code == 201, added.text
    assert added.json()["role"] == "admin"
    assert added.json()["email_verified"] is False
    set_password = await gateway.post(
        "/v1/auth/password-reset/confirm",
        json={
            "token": mailed_token(gateway, tenants.email("bob")),
            "new_password": "bob's long password",
        },
    )
    assert set_password.status_code == 200, set_password.text
    bob = await login(gateway, tenants.email("bob"), "bob's long password")
    listing = await gateway.get("/v1/members", headers=bearer(bob["access_token"]))
    assert listing.status_code == 200
    assert {(m["email"], m["role"]) for m in listing.json()["items"]} == {
        (tenants.email("ada"), "owner"),
        (tenants.email("bob"), "admin"),
    }


async def test_adding_rejects_bad_input_duplicates_and_api_keys(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    ada = await tenants.signup("ada")
    bad = await gateway.post(
        "/v1/members", json={"email": "nope", "role": "king"}, headers=bearer(ada["access_token"])
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert (await add(gateway, ada["access_token"], tenants.email("bob"))).status_code == 201
    again = await add(gateway, ada["access_token"], tenants.email("bob"))
    assert again.status_code == 409
    assert again.json()["type"].endswith("/member-exists")
    key = await tenants.key(ada["access_token"])
    with_key = await gateway.post(
        "/v1/members",
        json={"email": tenants.email("cy")},
        headers={"X-API-Key": str(key["key"])},
    )
    assert with_key.status_code == 403


async def test_owner_rules_and_the_last_owner_stays(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    ada = await tenants.signup("ada")
    await add(gateway, ada["access_token"], tenants.email("cy"), "admin")
    members = (await gateway.get("/v1/members", headers=bearer(ada["access_token"]))).json()
    cy_id = next(m["user_id"] for m in members["items"] if m["email"] == tenants.email("cy"))
    ada_id = next(m["user_id"] for m in members["items"] if m["role"] == "owner")
    # Ada promotes cy to owner, then demotes; an admin cannot make owners.
    promoted = await gateway.patch(
        f"/v1/members/{cy_id}", json={"role": "owner"}, headers=bearer(ada["access_token"])
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    demoted = await gateway.patch(
        f"/v1/members/{cy_id}", json={"role": "admin"}, headers=bearer(ada["access_token"])
    )
    assert demoted.json()["role"] == "admin"
    # The last owner can neither be demoted nor removed.
    last = await gateway.patch(
        f"/v1/members/{ada_id}", json={"role": "member"}, headers=bearer(ada["access_token"])
    )
    assert last.status_code == 409
    assert last.json()["type"].endswith("/last-owner")
    leave = await gateway.delete(f"/v1/members/{ada_id}", headers=bearer(ada["access_token"]))
    assert leave.status_code == 409


async def test_removed_member_loses_the_account_at_once(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    ada = await tenants.signup("ada")
    added = await add(gateway, ada["access_token"], tenants.email("dan"), "admin")
    token = mailed_token(gateway, tenants.email("dan"))
    await gateway.post(
        "/v1/auth/password-reset/confirm", json={"token": token, "new_password": "dan password!"}
    )
    dan = await login(gateway, tenants.email("dan"), "dan password!")
    # Dan, an admin, cannot remove the owner.
    members = (await gateway.get("/v1/members", headers=bearer(dan["access_token"]))).json()
    ada_id = next(m["user_id"] for m in members["items"] if m["role"] == "owner")
    refused = await gateway.delete(f"/v1/members/{ada_id}", headers=bearer(dan["access_token"]))
    assert refused.status_code == 403
    removed = await gateway.delete(
        f"/v1/members/{added.json()['user_id']}", headers=bearer(ada["access_token"])
    )
    assert removed.status_code == 204
    # His refresh token is dead and his still-valid access token manages nothing.
    refresh = await gateway.post("/v1/auth/refresh", json={"refresh_token": dan["refresh_token"]})
    assert refresh.status_code == 401
    keys = await gateway.post(
        "/v1/api-keys", json={"name": "x"}, headers=bearer(dan["access_token"])
    )
    assert keys.status_code == 401
    assert keys.json()["type"].endswith("/not-a-member")


async def test_one_account_never_sees_or_touches_anothers_members(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    ada = await tenants.signup("ada")
    eve = await tenants.signup("eve")
    members = (await gateway.get("/v1/members", headers=bearer(ada["access_token"]))).json()
    ada_id = members["items"][0]["user_id"]
    eves = (await gateway.get("/v1/members", headers=bearer(eve["access_token"]))).json()
    assert [m["email"] for m in eves["items"]] == [tenants.email("eve")]
    for response in (
        await gateway.patch(
            f"/v1/members/{ada_id}", json={"role": "member"}, headers=bearer(eve["access_token"])
        ),
        await gateway.delete(f"/v1/members/{ada_id}", headers=bearer(eve["access_token"])),
    ):
        assert response.status_code == 404
        assert response.json()["type"].endswith("/member-not-found")


async def test_listing_pages_with_a_cursor(tenants: Tenants, gateway: httpx.AsyncClient) -> None:
    ada = await tenants.signup("ada")
    for name in ("m1", "m2", "m3"):
        assert (await add(gateway, ada["access_token"], tenants.email(name))).status_code == 201
    first = (
        await gateway.get("/v1/members", params={"limit": 2}, headers=bearer(ada["access_token"]))
    ).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (
        await gateway.get(
            "/v1/members",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=bearer(ada["access_token"]),
        )
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    emails = {m["email"] for m in first["items"] + rest["items"]}
    assert len(emails) == 4
