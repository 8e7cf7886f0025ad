"""Sign-up, login, refresh rotation with reuse detection, logout, verification, reset."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.gateway.conftest import Tenants


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_signup_returns_the_account_and_working_tokens(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    signed = await tenants.signup("ada")
    assert signed["account_id"].startswith("acc_")
    assert signed["token_type"] == "bearer"
    me = await gateway.get("/v1/accounts/me", headers=bearer(signed["access_token"]))
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == signed["account_id"]
    assert body["role"] == "owner"
    assert {"family": "vin", "tier": "free"}.items() <= next(
        p for p in body["plans"] if p["family"] == "vin"
    ).items()
    assert "vin.decode" in body["entitlements"]


async def test_signup_rejects_bad_input_and_duplicates(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    bad = await gateway.post(
        "/v1/auth/signup", json={"email": "not-an-email", "password": "short", "account_name": ""}
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert len(bad.json()["errors"]) == 3
    await tenants.signup("bob")
    again = await gateway.post(
        "/v1/auth/signup",
        json={"email": tenants.email("bob"), "password": "another long one", "account_name": "x"},
    )
    assert again.status_code == 409


async def test_login_is_uniform_for_unknown_emails_and_wrong_passwords(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    await tenants.signup("cy")
    wrong = await gateway.post(
        "/v1/auth/login", json={"email": tenants.email("cy"), "password": "not the password"}
    )
    unknown = await gateway.post(
        "/v1/auth/login", json={"email": tenants.email("nobody"), "password": "whatever it is"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    good = await gateway.post(
        "/v1/auth/login", json={"email": tenants.email("cy"), "password": "correct horse battery"}
    )
    assert good.status_code == 200
    assert set(good.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}


async def test_repeated_failures_lock_the_email_for_a_while(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    await tenants.signup("dee")
    attempt = {"email": tenants.email("dee"), "password": "guess guess guess"}
    codes = [(await gateway.post("/v1/auth/login", json=attempt)).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = {"email": tenants.email("dee"), "password": "correct horse battery"}
    locked = await gateway.post("/v1/auth/login", json=right)
    assert locked.status_code == 429
    assert locked.json()["type"].endswith("/login-throttled")


async def test_refresh_rotates_and_a_reused_token_ends_the_session(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    first = (await tenants.signup("eve"))["refresh_token"]
    rotated = await gateway.post("/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    replay = await gateway.post("/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401
    # The replay revoked the whole chain, including the token issued after it.
    after = await gateway.post("/v1/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401


async def test_logout_revokes_the_access_and_refresh_tokens(
    tenants: Tenants, gateway: httpx.AsyncClient
) -> None:
    signed = await tenants.signup("fay")
    out = await gateway.post(
        "/v1/auth/logout",
        json={"refresh_token": signed["refresh_token"]},
        headers=bearer(signed["access_token"]),
    )
    assert out.status_code == 204
    me = await gateway.get("/v1/accounts/me", headers=bearer(signed["access_token"]))
    assert me.status_code == 401
    again = await gateway.post("/v1/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert again.status_code == 401


async def test_email_verification_and_password_reset_tokens_come_by_mail(
    tenants: Tenants, gateway: httpx.AsyncClient, component_app: object
) -> None:
    await tenants.signup("gus")
    app: FastAPI = gateway._transport.app  # type: ignore[attr-defined]
    mail = app.state.gateway.mail
    [(to, _, body)] = [m for m in mail.sent if m[0] == tenants.email("gus")]
    verify = re.search(r"(ev_\S+)", body)
    assert verify is not None
    ok = await gateway.post("/v1/auth/verify-email", json={"token": verify.group(1)})
    assert ok.status_code == 200
    reused = await gateway.post("/v1/auth/verify-email", json={"token": verify.group(1)})
    assert reused.status_code == 400
    for email in (tenants.email("gus"), tenants.email("ghost")):
        asked = await gateway.post("/v1/auth/password-reset", json={"email": email})
        assert asked.status_code == 202
    [reset_mail] = [m for m in mail.sent if "reset" in m[1].lower() and m[0] == to]
    token = re.search(r"(pr_\S+)", reset_mail[2])
    assert token is not None
    done = await gateway.post(
        "/v1/auth/password-reset/confirm",
        json={"token": token.group(1), "new_password": "a brand new password"},
    )
    assert done.status_code == 200
    login = await gateway.post(
        "/v1/auth/login", json={"email": to, "password": "a brand new password"}
    )
    assert login.status_code == 200
