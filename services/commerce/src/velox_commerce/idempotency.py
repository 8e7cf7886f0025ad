"""``Idempotency-Key``: the first answer to a key is kept and replayed for the same
request; the same key on another request is a 409. Keys are per account."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import Conflict

from velox_commerce.db.orders import IdempotentRequest

__all__ = ["IdempotencyKeyReused", "fingerprint", "recall", "remember"]


class IdempotencyKeyReused(Conflict):
    problem = "idempotency-key-reused"
    title = "Idempotency key already used for another request"


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


async def recall(
    session: AsyncSession, account_id: str, key: str, print_: str
) -> tuple[int, dict[str, Any]] | None:
    row = await session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.account_id == account_id, IdempotentRequest.key == key
        )
    )
    if row is None:
        return None
    if row.fingerprint != print_:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used for a different request; use a new key."
        )
    return row.status_code, row.body


async def remember(
    session: AsyncSession,
    account_id: str,
    key: str,
    print_: str,
    status_code: int,
    body: dict[str, Any],
) -> None:
    await session.execute(
        insert(IdempotentRequest)
        .values(
            account_id=account_id,
            key=key,
            fingerprint=print_,
            status_code=status_code,
            body=body,
        )
        .on_conflict_do_nothing()
    )
