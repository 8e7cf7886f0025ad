"""API key rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from velox_shared.repository import Repository

from velox_gateway.db.models import Account, ApiKey


class ApiKeys(Repository[ApiKey]):
    model = ApiKey

    async def by_hash(self, key_hash: str) -> tuple[ApiKey, Account] | None:
        row = (
            await self.session.execute(
                select(ApiKey, Account)
                .join(Account, Account.id == ApiKey.account_id)
                .where(ApiKey.key_hash == key_hash)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def touch(self, key_id: str, at: datetime) -> None:
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
        )
