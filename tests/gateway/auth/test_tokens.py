"""Access tokens and passwords."""

from __future__ import annotations

import pytest
from velox_gateway.security.tokens import AccessTokens, InvalidAccessToken
from velox_shared.passwords import hash_password, verify_password

SECRET = "x" * 40


def test_access_tokens_round_trip_and_expire() -> None:
    tokens = AccessTokens(SECRET, 60)
    claims = tokens.verify(tokens.issue(user_id="usr_1", account_id="acc_1", role="owner"))
    assert (claims.user_id, claims.account_id, claims.role) == ("usr_1", "acc_1", "owner")
    expired = AccessTokens(SECRET, -120).issue(user_id="u", account_id="a", role="member")
    with pytest.raises(InvalidAccessToken):
        tokens.verify(expired)
    with pytest.raises(InvalidAccessToken):
        AccessTokens("y" * 40, 60).verify(tokens.issue(user_id="u", account_id="a", role="m"))


async def test_passwords_hash_with_argon2_and_verify() -> None:
    hashed = await hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert await verify_password(hashed, "correct horse battery")
    assert not await verify_password(hashed, "wrong horse battery")
    assert not await verify_password(None, "anything at all")
