"""/v1/api-keys: create (secret shown once), list, rotate, revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body, status
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_gateway.apikeys import service
from velox_gateway.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, ApiKeyRotate
from velox_gateway.db.models import ApiKey
from velox_gateway.deps import ContextDep, CurrentPrincipal, ManagerPrincipal, SessionDep

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=list(key.scopes),
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses={403: PROBLEM})
async def create_api_key(
    body: ApiKeyCreate, principal: ManagerPrincipal, context: ContextDep, session: SessionDep
) -> ApiKeyCreated:
    """Create an API key; the secret `key` is returned only this once."""
    row, secret = await service.create_key(
        session,
        context.key_secrets,
        account_id=principal.account_id,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
        created_by=principal.principal_id,
    )
    return ApiKeyCreated(**_out(row).model_dump(), key=secret)


@router.get("")
async def list_api_keys(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ApiKeyOut]:
    """List the account's API keys, newest first (never their secrets)."""
    page = await service.list_keys(session, principal.account_id, limit=limit, cursor=cursor)
    return Page(items=[_out(k) for k in page.items], next_cursor=page.next_cursor)


@router.post("/{key_id}/rotate", status_code=status.HTTP_201_CREATED, responses={404: PROBLEM})
async def rotate_api_key(
    key_id: str,
    principal: ManagerPrincipal,
    context: ContextDep,
    session: SessionDep,
    body: ApiKeyRotate = Body(default_factory=ApiKeyRotate),
) -> ApiKeyCreated:
    """Issue a successor key; the old one keeps working for `grace_seconds`."""
    new, secret, old = await service.rotate_key(
        session,
        context.key_secrets,
        account_id=principal.account_id,
        key_id=key_id,
        grace=timedelta(seconds=body.grace_seconds),
        rotated_by=principal.principal_id,
    )
    await session.commit()
    await context.keys.invalidate(old.key_hash)
    return ApiKeyCreated(**_out(new).model_dump(), key=secret)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: PROBLEM})
async def revoke_api_key(
    key_id: str, principal: ManagerPrincipal, context: ContextDep, session: SessionDep
) -> None:
    """Revoke a key; every gateway process refuses it within a second."""
    key = await service.revoke_key(session, principal.account_id, key_id)
    await session.commit()
    await context.keys.invalidate(key.key_hash)
