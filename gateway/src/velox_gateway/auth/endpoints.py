"""/v1/auth: sign-up, login, token refresh, logout, email verification, password reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from slowapi import Limiter
from velox_shared.errors import PROBLEM_JSON

from velox_gateway.auth.schemas import (
    Accepted,
    LoginIn,
    LogoutIn,
    RefreshIn,
    ResetConfirmIn,
    ResetRequestIn,
    SignupIn,
    SignupOut,
    TokenIn,
    TokenPair,
)
from velox_gateway.auth.service import AuthService, Issued
from velox_gateway.deps import ContextDep, CurrentPrincipal, SessionDep
from velox_gateway.security.tokens import looks_like_jwt

PUBLIC: dict[str, Any] = {"security": []}
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


def auth_service(context: ContextDep, session: SessionDep) -> AuthService:
    return AuthService(
        session=session,
        redis=context.runtime.redis,
        tokens=context.tokens,
        mail=context.mail,
        refresh_ttl=context.refresh_ttl,
        max_failures=context.settings.login_attempts_per_email,
    )


def _pair(issued: Issued) -> TokenPair:
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )


def build_router(limiter: Limiter, limit: str) -> APIRouter:
    """The router; ``limit`` is the per-IP rate of the unauthenticated routes (slowapi)."""
    router = APIRouter(prefix="/v1/auth", tags=["auth"])

    @router.post(
        "/signup",
        status_code=status.HTTP_201_CREATED,
        openapi_extra=PUBLIC,
        responses={409: PROBLEM, 429: PROBLEM},
    )
    @limiter.limit(limit)
    async def signup(
        request: Request,
        response: Response,
        body: SignupIn,
        context: ContextDep,
        session: SessionDep,
    ) -> SignupOut:
        """Create an account with you as its owner; returns tokens."""
        issued = await auth_service(context, session).signup(
            body.email, body.password, body.account_name
        )
        return SignupOut(
            **_pair(issued).model_dump(), account_id=issued.account_id, user_id=issued.user_id
        )

    @router.post("/login", openapi_extra=PUBLIC, responses={401: PROBLEM, 429: PROBLEM})
    @limiter.limit(limit)
    async def login(
        request: Request,
        response: Response,
        body: LoginIn,
        context: ContextDep,
        session: SessionDep,
    ) -> TokenPair:
        """Exchange email and password for an access and a refresh token."""
        return _pair(await auth_service(context, session).login(body.email, body.password))

    @router.post("/refresh", openapi_extra=PUBLIC, responses={401: PROBLEM})
    @limiter.limit(limit)
    async def refresh(
        request: Request,
        response: Response,
        body: RefreshIn,
        context: ContextDep,
        session: SessionDep,
    ) -> TokenPair:
        """Rotate a refresh token: the old one stops working, a new pair is returned."""
        return _pair(await auth_service(context, session).refresh(body.refresh_token))

    @router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: PROBLEM})
    async def logout(
        request: Request,
        body: LogoutIn,
        principal: CurrentPrincipal,
        context: ContextDep,
        session: SessionDep,
    ) -> None:
        """Revoke the refresh-token chain and this access token."""
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        jti, expires = None, 0
        if principal.kind == "user" and looks_like_jwt(token):
            claims = context.tokens.verify(token)
            jti, expires = claims.jti, claims.expires_at
        await auth_service(context, session).logout(body.refresh_token, jti, expires)

    @router.post("/verify-email", openapi_extra=PUBLIC, responses={400: PROBLEM})
    @limiter.limit(limit)
    async def verify_email(
        request: Request,
        response: Response,
        body: TokenIn,
        context: ContextDep,
        session: SessionDep,
    ) -> Accepted:
        """Confirm an email address with the token that was mailed."""
        await auth_service(context, session).verify_email(body.token)
        return Accepted()

    @router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, openapi_extra=PUBLIC)
    @limiter.limit(limit)
    async def password_reset(
        request: Request,
        response: Response,
        body: ResetRequestIn,
        context: ContextDep,
        session: SessionDep,
    ) -> Accepted:
        """Mail a reset token if the email is registered (the answer is the same if not)."""
        await auth_service(context, session).request_reset(body.email)
        return Accepted()

    @router.post("/password-reset/confirm", openapi_extra=PUBLIC, responses={400: PROBLEM})
    @limiter.limit(limit)
    async def password_reset_confirm(
        request: Request,
        response: Response,
        body: ResetConfirmIn,
        context: ContextDep,
        session: SessionDep,
    ) -> Accepted:
        """Set a new password with a reset token; every session of the user ends."""
        await auth_service(context, session).reset_password(body.token, body.new_password)
        return Accepted()

    return router
