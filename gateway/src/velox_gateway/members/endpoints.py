"""/v1/members: the people of an account and their roles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_gateway.accounts.repository import Accounts
from velox_gateway.auth.endpoints import auth_service
from velox_gateway.db.models import Membership, User
from velox_gateway.deps import ContextDep, ManagerPrincipal, SessionDep, UserPrincipal
from velox_gateway.members import service
from velox_gateway.members.schemas import MemberAdd, MemberOut, MemberUpdate

router = APIRouter(prefix="/v1/members", tags=["members"])
PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


def _out(member: Membership, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id,
        email=user.email,
        role=member.role,
        email_verified=user.email_verified_at is not None,
        joined_at=member.created_at,
    )


@router.get("", responses={401: PROBLEM, 403: PROBLEM})
async def list_members(
    principal: UserPrincipal,
    session: SessionDep,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[MemberOut]:
    """The account's members and their roles, newest first. Any member may list."""
    page, users = await service.list_members(
        session, principal.account_id, limit=limit, cursor=cursor
    )
    return Page(
        items=[_out(m, users[m.user_id]) for m in page.items if m.user_id in users],
        next_cursor=page.next_cursor,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={401: PROBLEM, 403: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
async def add_member(
    body: MemberAdd, principal: ManagerPrincipal, context: ContextDep, session: SessionDep
) -> MemberOut:
    """Add someone by email (owners and admins; only an owner adds an owner).

    An email without a Velox user gets one, and a mailed token (valid seven days) to set
    the password with at `POST /v1/auth/password-reset/confirm`.
    """
    member, user, created = await service.add_member(
        session, principal.account_id, principal.role or "", str(body.email), body.role
    )
    if created:
        account = await Accounts(session).get(principal.account_id)
        name = account.name if account else "a Velox account"
        await auth_service(context, session).send_invitation(user, name)
    return _out(member, user)


@router.patch("/{user_id}", responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM})
async def change_role(
    user_id: str, body: MemberUpdate, principal: ManagerPrincipal, session: SessionDep
) -> MemberOut:
    """Change a member's role (owners and admins; only an owner touches the owner role;
    the last owner stays an owner)."""
    member = await service.change_role(
        session, principal.account_id, principal.role or "", user_id, body.role
    )
    user = await session.get(User, member.user_id)
    assert user is not None
    return _out(member, user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
async def remove_member(user_id: str, principal: UserPrincipal, session: SessionDep) -> None:
    """Remove a member, or leave the account yourself (owners and admins remove others;
    only an owner removes an owner; the last owner cannot go). Their sessions for this
    account end at once."""
    await service.remove_member(
        session, principal.account_id, principal.principal_id, principal.role or "", user_id
    )
