"""Turning request credentials into a :class:`Principal`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from starlette.requests import Request
from velox_shared.errors import Unauthorized

from velox_gateway.access.principal import Principal
from velox_gateway.errors import InvalidApiKey
from velox_gateway.security.tokens import InvalidAccessToken, looks_like_jwt

if TYPE_CHECKING:
    from velox_gateway.context import GatewayContext


class AuthenticationRequired(Unauthorized):
    problem = "authentication-required"
    title = "Authentication required"


def credential(request: Request) -> str | None:
    """The API key or token from ``X-API-Key`` or ``Authorization: Bearer``."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(request: Request, context: GatewayContext) -> Principal:
    token = credential(request)
    if token is None:
        raise AuthenticationRequired(
            "Send an API key (X-API-Key or Authorization: Bearer) or a user access token.",
            headers={"WWW-Authenticate": 'Bearer realm="velox"'},
        )
    if token.startswith("vx_"):
        return await context.keys.verify(token)
    if looks_like_jwt(token):
        claims = context.tokens.verify(token)
        try:
            revoked = await context.runtime.redis.exists(f"velox:gw:revoked-jti:{claims.jti}")
        except RedisError:
            revoked = 0  # documented: logout of a <=15 min token is best effort without Redis
        if revoked:
            raise InvalidAccessToken("This access token was logged out.")
        return Principal(
            account_id=claims.account_id,
            principal_id=claims.user_id,
            kind="user",
            scopes=("*",),
            role=claims.role,
        )
    raise InvalidApiKey("The credential is neither a Velox API key nor an access token.")
