"""FastAPI dependencies of the vin-intel service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.usage import QUOTA_REMAINING_HEADER
from velox_shared.db import request_session

from velox_vin_intel.context import VinContext


async def get_context(request: Request) -> VinContext:
    # async: a plain function dependency would run in the thread pool on every request
    context: VinContext = request.app.state.vin
    return context


ContextDep = Annotated[VinContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """One session per request: committed on success, rolled back on error."""
    async for session in request_session(context.runtime.sessions):
        yield session


# Committed before the response is sent (FastAPI's default scope ends a yield dependency
# after it): a client that got a 2xx reads its write on its next call.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def remaining_quota(
    remaining: Annotated[
        int | None,
        Header(
            alias=QUOTA_REMAINING_HEADER,
            include_in_schema=False,
            ge=0,
        ),
    ] = None,
) -> int | None:
    """Decodes the caller may still use this month (set by the gateway; None: unlimited)."""
    return remaining


RemainingQuota = Annotated[int | None, Depends(remaining_quota)]
