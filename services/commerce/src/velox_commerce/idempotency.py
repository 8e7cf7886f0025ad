"""``Idempotency-Key``: the first answer to a key is kept and replayed for the same
request; the same key on another request is a 409. Keys are per account.

:func:`once` also holds when the copies of a request arrive at the same moment: it takes
the key (:func:`claim`, the key's row written first in the request's transaction) before
anything else, so a copy waits on that row until the first request commits, then replays
its answer, or a 409 when the key came with another request (another order, another
body). A first request that fails leaves no row: the next copy runs as if first."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import Conflict

from velox_commerce.db.orders import IdempotentRequest

__all__ = ["IdempotencyKeyReused", "claim", "fingerprint", "once", "recall", "remember"]

_Out = TypeVar("_Out", bound=BaseModel)

_CLAIMED = 0  # the status of a key taken and not yet answered (seen only by its taker)


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


async def claim(
    session: AsyncSession, account_id: str, key: str, print_: str
) -> tuple[int, dict[str, Any]] | None:
    """Take ``key`` for this request until its transaction ends (None), or the answer
    the key already has. The key's row is inserted unanswered; a request holding it
    makes this wait until that one commits (its answer is replayed, or a 409 when the
    key came with another request) or rolls back (the key is this request's then)."""
    for _ in range(3):  # a kept answer could be deleted between the insert and the read
        taken = await session.scalar(
            insert(IdempotentRequest)
            .values(
                account_id=account_id,
                key=key,
                fingerprint=print_,
                status_code=_CLAIMED,
                body={},
            )
            .on_conflict_do_nothing()
            .returning(IdempotentRequest.key)
        )
        if taken is not None:
            return None
        replay = await recall(session, account_id, key, print_)
        if replay is not None:
            return replay
    raise IdempotencyKeyReused("This Idempotency-Key is in use; retry the request.")


async def once(
    session: AsyncSession,
    account_id: str,
    key: str | None,
    print_: str,
    act: Callable[[], Awaitable[_Out]],
    *,
    status_code: int = 201,
) -> _Out | JSONResponse:
    """``act()``'s answer, kept for ``key`` (with :func:`claim`), or the answer kept
    for it before. ``act`` must not commit: the key stays unanswered until it returns,
    and the request's one transaction writes its effect and the answer together."""
    if key is None:
        return await act()
    replay = await claim(session, account_id, key, print_)
    if replay is not None:
        return JSONResponse(replay[1], status_code=replay[0])
    out = await act()
    await session.execute(
        update(IdempotentRequest)
        .where(IdempotentRequest.account_id == account_id, IdempotentRequest.key == key)
        .values(status_code=status_code, body=out.model_dump(mode="json"))
    )
    return out
