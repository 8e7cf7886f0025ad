"""Creating, listing, rotating and revoking API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import NotFound
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_gateway.apikeys.keys import display_prefix, generate_key, hash_key
from velox_gateway.apikeys.repository import ApiKeys
from velox_gateway.db.models import ApiKey


class ApiKeyNotFound(NotFound):
    problem = "api-key-not-found"
    title = "API key not found"


@dataclass(frozen=True)
class KeySecrets:
    pepper: str
    environment: str


async def create_key(
    session: AsyncSession,
    secrets: KeySecrets,
    *,
    account_id: str,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    created_by: str | None,
) -> tuple[ApiKey, str]:
    """A new key row and its secret (the only time the secret exists in clear)."""
    key = generate_key(secrets.environment)
    row = ApiKey(
        id=new_id("key"),
        account_id=account_id,
        name=name,
        prefix=display_prefix(key),
        key_hash=hash_key(key, secrets.pepper),
        scopes=scopes,
        created_by=created_by,
        expires_at=expires_at,
        created_at=datetime.now(UTC),
    )
    await ApiKeys(session).add(row)
    return row, key


async def list_keys(
    session: AsyncSession, account_id: str, *, limit: int, cursor: str | None
) -> PageResult[ApiKey]:
    repo = ApiKeys(session)
    return await repo.page(repo.query(account_id=account_id), limit=limit, cursor=cursor)


async def _owned(session: AsyncSession, account_id: str, key_id: str) -> ApiKey:
    key = await ApiKeys(session).get(key_id, account_id=account_id)
    if key is None or key.revoked_at is not None:
        raise ApiKeyNotFound(f"No active API key {key_id} in this account.")
    return key


async def revoke_key(session: AsyncSession, account_id: str, key_id: str) -> ApiKey:
    key = await _owned(session, account_id, key_id)
    key.revoked_at = datetime.now(UTC)
    await session.flush()
    return key


async def rotate_key(
    session: AsyncSession,
    secrets: KeySecrets,
    *,
    account_id: str,
    key_id: str,
    grace: timedelta,
    rotated_by: str | None,
) -> tuple[ApiKey, str, ApiKey]:
    """A successor with the same name and scopes; the old key expires after ``grace``."""
    old = await _owned(session, account_id, key_id)
    new, secret = await create_key(
        session,
        secrets,
        account_id=account_id,
        name=old.name,
        scopes=list(old.scopes),
        expires_at=old.expires_at,
        created_by=rotated_by,
    )
    ends = datetime.now(UTC) + grace
    old.expires_at = min(old.expires_at, ends) if old.expires_at else ends
    old.replaced_by = new.id
    await session.flush()
    return new, secret, old
