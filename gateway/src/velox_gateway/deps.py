"""FastAPI dependencies of the gateway, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.db import request_session

from velox_gateway.access.authenticate import authenticate
from velox_gateway.access.principal import Principal
from velox_gateway.accounts.repository import Memberships
from velox_gateway.context import GatewayContext
from velox_gateway.errors import InsufficientRole, NoLongerMember


async def get_context(request: Request) -> GatewayContext:
    # async: a plain function dependency would be run in the thread pool on every request
    context: GatewayContext = request.app.state.gateway
    return context


ContextDep = Annotated[GatewayContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    async for session in request_session(context.runtime.sessions):
        yield session


# Committed before the response is sent (FastAPI's default scope ends a yield dependency
# after it): a client that got a 2xx reads its write on its next call.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request, context: ContextDep) -> Principal:
    principal = await authenticate(request, context)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_user(principal: CurrentPrincipal, session: SessionDep) -> Principal:
    """A logged-in member, with the role read from the database now (not the token's)."""
    if principal.kind != "user":
        raise InsufficientRole(
            "Log in as an account owner or admin (API keys cannot manage keys or members)."
        )
    role = await Memberships(session).role(principal.account_id, principal.principal_id)
    if role is None:
        raise NoLongerMember("You are no longer a member of this account; log in again.")
    return replace(principal, role=role)


UserPrincipal = Annotated[Principal, Depends(get_user)]


async def get_manager(principal: UserPrincipal) -> Principal:
    if not principal.is_manager:
        raise InsufficientRole(
            "Log in as an account owner or admin (API keys cannot manage keys or members)."
        )
    return principal


ManagerPrincipal = Annotated[Principal, Depends(get_manager)]
