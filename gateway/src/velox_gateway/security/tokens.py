"""User access tokens (short-lived JWTs) and opaque single-use tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt
from velox_shared.errors import Unauthorized

ISSUER = "velox-gateway/session"
AUDIENCE = "velox-api"


class InvalidAccessToken(Unauthorized):
    problem = "invalid-token"
    title = "Invalid or expired access token"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    account_id: str
    role: str
    jti: str
    expires_at: int


def opaque_token(prefix: str) -> str:
    """A random bearer secret such as ``rt_...`` (refresh) or ``ev_...`` (email)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokens:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl = ttl_seconds

    def issue(self, *, user_id: str, account_id: str, role: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "acc": account_id,
            "role": role,
            "iat": now,
            "exp": now + self.ttl,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "jti"]},
            )
        except jwt.PyJWTError:
            raise InvalidAccessToken("The access token is invalid or has expired.") from None
        return AccessClaims(
            user_id=claims["sub"],
            account_id=claims["acc"],
            role=claims["role"],
            jti=claims["jti"],
            expires_at=int(claims["exp"]),
        )


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("ey")
