"""Identity tokens: only the gateway's key signs them, for one audience, for seconds."""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
from fastapi import FastAPI
from velox_shared.auth import CurrentIdentity, IdentityMiddleware
from velox_shared.identity import (
    Identity,
    IdentitySigner,
    IdentityVerifier,
    InvalidIdentity,
    generate_keypair,
)
from velox_shared.observability import RequestContextMiddleware

from tests.conftest import Keys

ALICE = Identity(
    account_id="acc_1", principal_id="key_1", plan="pro", scopes=("vin:*", "commerce:read")
)


def test_a_signed_identity_round_trips(keys: Keys) -> None:
    token = IdentitySigner(keys.private).sign(ALICE, audience="vin-intel")
    assert IdentityVerifier(keys.public, audience="vin-intel").verify(token) == ALICE


def test_the_plans_limits_travel_signed_and_absent_ones_are_unlimited(keys: Keys) -> None:
    capped = ALICE.model_copy(
        update={"limits": (("commerce.products", 100), ("commerce.stores", 1))}
    )
    signer = IdentitySigner(keys.private)
    token = signer.sign(capped, audience="commerce")
    seen = IdentityVerifier(keys.public, audience="commerce").verify(token)
    assert seen == capped
    assert seen.limit("commerce.stores") == 1
    assert seen.limit("commerce.orders") is None
    # The signer's memory tells a capped caller from the same caller uncapped.
    uncapped = signer.sign(ALICE, audience="commerce")
    assert uncapped != token
    assert IdentityVerifier(keys.public, audience="commerce").verify(uncapped).limits == ()


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c"])
def test_missing_or_malformed_tokens_are_refused(keys: Keys, token: str | None) -> None:
    with pytest.raises(InvalidIdentity):
        IdentityVerifier(keys.public, audience="commerce").verify(token)


def test_a_token_for_another_audience_is_refused(keys: Keys) -> None:
    token = IdentitySigner(keys.private).sign(ALICE, audience="billing")
    with pytest.raises(InvalidIdentity, match=r"(?i)audience"):
        IdentityVerifier(keys.public, audience="commerce").verify(token)


def test_an_expired_token_is_refused(keys: Keys) -> None:
    token = IdentitySigner(keys.private, ttl_seconds=-60).sign(ALICE, audience="commerce")
    with pytest.raises(InvalidIdentity, match="expired"):
        IdentityVerifier(keys.public, audience="commerce").verify(token)


def test_a_token_signed_by_another_key_is_refused(keys: Keys) -> None:
    other_private, _ = generate_keypair()
    token = IdentitySigner(other_private).sign(ALICE, audience="commerce")
    with pytest.raises(InvalidIdentity, match="Signature"):
        IdentityVerifier(keys.public, audience="commerce").verify(token)


def test_a_symmetric_token_cannot_impersonate_the_gateway(keys: Keys) -> None:
    # "alg confusion": HS256 keyed with the public key must not pass as EdDSA.
    now = int(time.time())
    claims = {
        "iss": "velox-gateway",
        "aud": "commerce",
        "sub": "x",
        "acc": "acc_2",
        "plan": "pro",
        "iat": now,
        "exp": now + 60,
    }
    forged = jwt.encode(claims, "not-the-gateway-key-but-long-enough-for-hs256", algorithm="HS256")
    with pytest.raises(InvalidIdentity):
        IdentityVerifier(keys.public, audience="commerce").verify(forged)


def test_scopes_support_wildcards() -> None:
    assert ALICE.has_scope("vin:decode")
    assert ALICE.has_scope("commerce:read")
    assert not ALICE.has_scope("commerce:write")
    assert Identity(account_id="a", principal_id="p", plan="free", scopes=("*",)).has_scope("x:y")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_the_signer_hands_out_one_token_per_caller_and_audience_for_half_its_life(
    keys: Keys,
) -> None:
    clock = Clock()
    signer = IdentitySigner(keys.private, ttl_seconds=60, clock=clock)
    first = signer.sign(ALICE, audience="vin-intel")
    clock.now += 29
    assert signer.sign(ALICE, audience="vin-intel") == first
    others = {
        signer.sign(ALICE, audience="commerce"),
        signer.sign(ALICE.model_copy(update={"plan": "enterprise"}), audience="vin-intel"),
        signer.sign(ALICE.model_copy(update={"scopes": ("vin:read",)}), audience="vin-intel"),
        signer.sign(ALICE.model_copy(update={"principal_id": "key_2"}), audience="vin-intel"),
    }
    assert first not in others and len(others) == 4
    clock.now += 2
    renewed = signer.sign(ALICE, audience="vin-intel")
    assert renewed != first
    claims = jwt.decode(renewed, options={"verify_signature": False})
    assert claims["exp"] - clock.now >= 59
    assert "rid" not in claims


def test_a_remembered_token_still_expires(keys: Keys) -> None:
    clock = Clock()
    token = IdentitySigner(keys.private, ttl_seconds=60).sign(ALICE, audience="commerce")
    verifier = IdentityVerifier(keys.public, audience="commerce", leeway_seconds=5, clock=clock)
    assert verifier.verify(token) == ALICE
    clock.now += 64
    assert verifier.verify(token) == ALICE
    clock.now += 2
    with pytest.raises(InvalidIdentity, match="expired"):
        verifier.verify(token)


def test_a_verified_token_vouches_for_no_altered_copy(keys: Keys) -> None:
    verifier = IdentityVerifier(keys.public, audience="commerce")
    token = IdentitySigner(keys.private).sign(ALICE, audience="commerce")
    assert verifier.verify(token) == ALICE
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["acc"] = "acc_2"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(InvalidIdentity):
        verifier.verify(f"{header}.{forged_payload}.{signature}")


async def test_a_service_reads_the_request_id_beside_the_token(keys: Keys) -> None:
    app = FastAPI()

    @app.get("/v1/who")
    async def who(identity: CurrentIdentity) -> dict[str, str | None]:
        return {"account": identity.account_id, "request_id": identity.request_id}

    app.add_middleware(
        IdentityMiddleware, verifier=IdentityVerifier(keys.public, audience="commerce")
    )
    app.add_middleware(RequestContextMiddleware, service="commerce")
    token = IdentitySigner(keys.private).sign(ALICE, audience="commerce")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        answers = [
            (
                await client.get(
                    "/v1/who", headers={"X-Velox-Identity": token, "X-Request-ID": rid}
                )
            ).json()
            for rid in ("req_one", "req_two")
        ]
    assert answers == [
        {"account": "acc_1", "request_id": "req_one"},
        {"account": "acc_1", "request_id": "req_two"},
    ]
