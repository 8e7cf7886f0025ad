"""Refresh and email token rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from velox_shared.repository import Repository

from velox_gateway.db.models import EmailToken, RefreshToken


class RefreshTokens(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        result: RefreshToken | None = await self.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        )
        return result

    async def revoke_family(self, family_id: str, at: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_user(self, user_id: str, at: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )


class EmailTokens(Repository[EmailToken]):
    model = EmailToken

    async def by_hash(self, token_hash: str, purpose: str) -> EmailToken | None:
        result: EmailToken | None = await self.session.scalar(
            select(EmailToken)
            .where(EmailToken.token_hash == token_hash, EmailToken.purpose == purpose)
            .with_for_update()
        )
        return result
