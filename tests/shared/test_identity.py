"""Identity tokens: only the gateway's key signs them, for one audience, for seconds."""

from __future__ import annotations

import time

import jwt
import pytest
from velox_shared.identity import (
    Identity,
    IdentitySigner,
    IdentityVerifier,
    InvalidIdentity,
    generate_keypair,
)

from tests.conftest import Keys

ALICE = Identity(
    account_id="acc_1", principal_id="key_1", plan="pro", scopes=("vin:*", "commerce:read")
)


def test_a_signed_identity_round_trips(keys: Keys) -> None:
    token = IdentitySigner(keys.private).sign(ALICE, audience="vin-intel")
    assert IdentityVerifier(keys.public, audience="vin-intel").verify(token) == ALICE


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
