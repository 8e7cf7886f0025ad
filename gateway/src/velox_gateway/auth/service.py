"""Sign-up, login, refresh-token rotation, logout, email verification, password reset."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import BadRequest
from velox_shared.ids import new_id
from velox_shared.passwords import hash_password, verify_password

from velox_gateway.accounts.repository import Memberships, Users
from velox_gateway.accounts.service import create_account
from velox_gateway.auth.mail import MailSender
from velox_gateway.auth.repository import EmailTokens, RefreshTokens
from velox_gateway.db.models import EmailToken, RefreshToken, User
from velox_gateway.errors import EmailTaken, InvalidCredentials, LoginThrottled
from velox_gateway.security.tokens import AccessTokens, opaque_token, token_hash

_log = logging.getLogger("velox.gateway.auth")
_UNIFORM = "Invalid email or password."


class InvalidToken(BadRequest):
    problem = "invalid-token"
    title = "Invalid or expired token"


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int
    user_id: str
    account_id: str


@dataclass
class AuthService:
    session: AsyncSession
    redis: Redis
    tokens: AccessTokens
    mail: MailSender
    refresh_ttl: timedelta
    max_failures: int = 5

    async def signup(self, email: str, password: str, account_name: str) -> Issued:
        users = Users(self.session)
        if await users.by_email(email) is not None:
            raise EmailTaken("This email cannot be registered; log in or reset the password.")
        user = User(
            id=new_id("usr"),
            email=email.lower(),
            password_hash=await hash_password(password),
            created_at=datetime.now(UTC),
        )
        try:
            await users.add(user)
        except IntegrityError:
            raise EmailTaken("This email cannot be registered.") from None
        account = await create_account(self.session, name=account_name, owner_user_id=user.id)
        await self._send_token(user, "verify", "Verify your Velox email", timedelta(days=2))
        return await self._issue(user.id, account.id, "owner", family_id=None)

    async def login(self, email: str, password: str) -> Issued:
        await self._check_throttle(email)
        user = await Users(self.session).by_email(email)
        ok = await verify_password(user.password_hash if user else None, password)
        membership = await Memberships(self.session).first_for_user(user.id) if user else None
        if not ok or user is None or membership is None:
            await self._record_failure(email)
            raise InvalidCredentials(_UNIFORM)
        await self._clear_failures(email)
        return await self._issue(user.id, membership.account_id, membership.role, family_id=None)

    async def refresh(self, refresh_token: str) -> Issued:
        repo = RefreshTokens(self.session)
        row = await repo.by_hash(token_hash(refresh_token))
        now = datetime.now(UTC)
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise InvalidCredentials("The refresh token is invalid or expired; log in again.")
        if row.used_at is not None:
            # A used token presented again means it leaked: end the whole session.
            await repo.revoke_family(row.family_id, now)
            # The revocation must outlive the error response, whose request rolls back.
            await self.session.commit()
            _log.warning("refresh token reuse", extra={"family": row.family_id})
            raise InvalidCredentials("The refresh token was already used; log in again.")
        row.used_at = now
        role = await Memberships(self.session).role(row.account_id, row.user_id) or "member"
        return await self._issue(row.user_id, row.account_id, role, family_id=row.family_id)

    async def logout(
        self, refresh_token: str | None, access_jti: str | None, expires_at: int
    ) -> None:
        if refresh_token:
            row = await RefreshTokens(self.session).by_hash(token_hash(refresh_token))
            if row is not None:
                await RefreshTokens(self.session).revoke_family(row.family_id, datetime.now(UTC))
        if access_jti:
            ttl = max(1, expires_at - int(datetime.now(UTC).timestamp()))
            await self.redis.set(f"velox:gw:revoked-jti:{access_jti}", "1", ex=ttl)

    async def verify_email(self, token: str) -> None:
        row = await self._use_token(token, "verify")
        user = await Users(self.session).get(row.user_id)
        if user is not None and user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)

    async def request_reset(self, email: str) -> None:
        user = await Users(self.session).by_email(email)
        if user is not None:  # the answer is the same either way
            await self._send_token(user, "reset", "Reset your Velox password", timedelta(hours=1))

    async def reset_password(self, token: str, new_password: str) -> None:
        row = await self._use_token(token, "reset")
        user = await Users(self.session).get(row.user_id)
        if user is None:
            raise InvalidToken("The token is invalid or expired.")
        user.password_hash = await hash_password(new_password)
        await RefreshTokens(self.session).revoke_user(user.id, datetime.now(UTC))

    async def send_invitation(self, user: User, account_name: str) -> None:
        """Mail a new member a token to set their password with (valid seven days)."""
        await self._send_token(
            user,
            "reset",
            f"You were added to {account_name} on Velox: set your password",
            timedelta(days=7),
        )

    async def _issue(
        self, user_id: str, account_id: str, role: str, *, family_id: str | None
    ) -> Issued:
        refresh = opaque_token("rt")
        row = RefreshToken(
            id=new_id("rtk"),
            token_hash=token_hash(refresh),
            family_id=family_id or new_id("fam"),
            user_id=user_id,
            account_id=account_id,
            expires_at=datetime.now(UTC) + self.refresh_ttl,
            created_at=datetime.now(UTC),
        )
        await RefreshTokens(self.session).add(row)
        access = self.tokens.issue(user_id=user_id, account_id=account_id, role=role)
        return Issued(access, refresh, self.tokens.ttl, user_id, account_id)

    async def _send_token(self, user: User, purpose: str, subject: str, ttl: timedelta) -> None:
        token = opaque_token("ev" if purpose == "verify" else "pr")
        row = EmailToken(
            id=new_id("etk"),
            token_hash=token_hash(token),
            purpose=purpose,
            user_id=user.id,
            expires_at=datetime.now(UTC) + ttl,
            created_at=datetime.now(UTC),
        )
        await EmailTokens(self.session).add(row)
        await self.mail.send(to=user.email, subject=subject, body=f"Your {purpose} token: {token}")

    async def _use_token(self, token: str, purpose: str) -> EmailToken:
        row = await EmailTokens(self.session).by_hash(token_hash(token), purpose)
        now = datetime.now(UTC)
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise InvalidToken("The token is invalid, used or expired.")
        row.used_at = now
        return row

    def _throttle_key(self, email: str) -> str:
        return "velox:gw:login-failures:" + hashlib.sha256(email.lower().encode()).hexdigest()

    async def _check_throttle(self, email: str) -> None:
        try:
            failures = await self.redis.get(self._throttle_key(email))
        except RedisError:
            return  # documented: without Redis only the per-process IP limit applies
        if failures is not None and int(failures) >= self.max_failures:
            raise LoginThrottled(
                "Too many failed attempts; try again in 15 minutes or reset the password.",
                headers={"Retry-After": "900"},
            )

    async def _record_failure(self, email: str) -> None:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(self._throttle_key(email))
                pipe.expire(self._throttle_key(email), 900)
                await pipe.execute()
        except RedisError:
            pass

    async def _clear_failures(self, email: str) -> None:
        with contextlib.suppress(RedisError):
            await self.redis.delete(self._throttle_key(email))
