"""Membership rules: who may grant which role, and the account never losing its last owner.

Owners and admins manage members; only an owner grants, changes or removes the owner role;
the last owner can be neither demoted nor removed. Adding an email that has no Velox user
yet creates one with an unusable password and mails a password-reset token, with which
the new member sets a password and logs in. Removing a member revokes their refresh tokens
for the account at once; an access token already issued dies at its expiry (15 minutes by
default), and it can no longer manage anything because management re-reads the role.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import Conflict, Forbidden, NotFound
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult
from velox_shared.passwords import hash_password

from velox_gateway.accounts.repository import Memberships, Users
from velox_gateway.db.models import Membership, RefreshToken, User

__all__ = [
    "LastOwner",
    "MemberExists",
    "MemberNotFound",
    "OwnerOnly",
    "add_member",
    "change_role",
    "list_members",
    "remove_member",
]


class MemberNotFound(NotFound):
    problem = "member-not-found"
    title = "No such member"


class MemberExists(Conflict):
    problem = "member-exists"
    title = "Already a member"


class OwnerOnly(Forbidden):
    problem = "owner-required"
    title = "Only an owner may do this"


class LastOwner(Conflict):
    problem = "last-owner"
    title = "An account keeps at least one owner"


async def list_members(
    session: AsyncSession, account_id: str, *, limit: int, cursor: str | None
) -> tuple[PageResult[Membership], dict[str, User]]:
    repo = Memberships(session)
    page = await repo.page(repo.query(account_id=account_id), limit=limit, cursor=cursor)
    ids = [m.user_id for m in page.items]
    users = (await session.scalars(select(User).where(User.id.in_(ids)))).all() if ids else []
    return page, {u.id: u for u in users}


async def _member(session: AsyncSession, account_id: str, user_id: str) -> Membership:
    row = await session.scalar(
        select(Membership).where(Membership.account_id == account_id, Membership.user_id == user_id)
    )
    if row is None:
        raise MemberNotFound(f"No member {user_id} in this account.")
    return row


async def _owners(session: AsyncSession, account_id: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.account_id == account_id, Membership.role == "owner")
    )
    return int(count or 0)


def _check_grant(actor_role: str, role: str) -> None:
    if role == "owner" and actor_role != "owner":
        raise OwnerOnly("Only an owner may make someone an owner.")


async def add_member(
    session: AsyncSession, account_id: str, actor_role: str, email: str, role: str
) -> tuple[Membership, User, bool]:
    """Returns the membership, the user and whether the user is new (needs a password)."""
    _check_grant(actor_role, role)
    users = Users(session)
    user = await users.by_email(email)
    created = user is None
    if user is None:
        user = User(
            id=new_id("usr"),
            email=email.lower(),
            password_hash=await hash_password(secrets.token_urlsafe(32)),
            created_at=datetime.now(UTC),
        )
        await users.add(user)
    elif await Memberships(session).role(account_id, user.id) is not None:
        raise MemberExists(f"{email} is already a member of this account.")
    membership = Membership(
        id=new_id("mem"),
        account_id=account_id,
        user_id=user.id,
        role=role,
        created_at=datetime.now(UTC),
    )
    await Memberships(session).add(membership)
    return membership, user, created


async def change_role(
    session: AsyncSession, account_id: str, actor_role: str, user_id: str, role: str
) -> Membership:
    member = await _member(session, account_id, user_id)
    if "owner" in (member.role, role):
        _check_grant(actor_role, "owner")
    if member.role == "owner" and role != "owner" and await _owners(session, account_id) <= 1:
        raise LastOwner("The last owner cannot be demoted; make someone else an owner first.")
    member.role = role
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession, account_id: str, actor_id: str, actor_role: str, user_id: str
) -> None:
    member = await _member(session, account_id, user_id)
    if user_id != actor_id and actor_role not in ("owner", "admin"):
        raise OwnerOnly("Only owners and admins remove other members.")
    if member.role == "owner" and user_id != actor_id and actor_role != "owner":
        raise OwnerOnly("Only an owner may remove an owner.")
    if member.role == "owner" and await _owners(session, account_id) <= 1:
        raise LastOwner("The last owner cannot leave; make someone else an owner first.")
    await session.delete(member)
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.account_id == account_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
    )
    await session.flush()
