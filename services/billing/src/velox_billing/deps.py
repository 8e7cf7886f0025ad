"""FastAPI dependencies of the billing service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.db import request_session

from velox_billing.context import BillingContext


async def get_context(request: Request) -> BillingContext:
    # async: a plain function dependency would run in the thread pool on every request
    context: BillingContext = request.app.state.billing
    return context


ContextDep = Annotated[BillingContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """One session per request: committed on success, rolled back on error."""
    async for session in request_session(context.runtime.sessions):
        yield session


# Committed before the response is sent (FastAPI's default scope ends a yield dependency
# after it): a client that got a 2xx reads its write on its next call.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
