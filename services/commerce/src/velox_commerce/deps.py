"""FastAPI dependencies of the commerce service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.auth import CurrentIdentity
from velox_shared.db import request_session

from velox_commerce.context import CommerceContext
from velox_commerce.db.catalog import Store
from velox_commerce.stores.service import StoreService


async def get_context(request: Request) -> CommerceContext:
    context: CommerceContext = request.app.state.commerce
    return context


ContextDep = Annotated[CommerceContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """One session per request: committed on success, rolled back on error."""
    async for session in request_session(context.runtime.sessions):
        yield session


# Committed before the response is sent (FastAPI's default scope ends a dependency after
# it): a client that got a 2xx reads its write on its next call, and a failed commit is
# an error answer, not a lost write.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def account_id(identity: CurrentIdentity) -> str:
    """The calling tenant: every query below filters by it."""
    return identity.account_id


AccountDep = Annotated[str, Depends(account_id)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Makes the call safe to retry: the same key and body get the same answer.",
    ),
]


async def current_store(
    store_id: Annotated[str, Path(max_length=40, description="The store's id (`sto_...`).")],
    session: SessionDep,
    account: AccountDep,
) -> Store:
    """The store named in the path, if it belongs to the calling account (else 404)."""
    return await StoreService(session, account).get(store_id)


StoreDep = Annotated[Store, Depends(current_store)]
