"""Accounts, users, memberships and account plans."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.repository import Repository

from velox_gateway.db.models import Account, AccountPlan, Membership, User


class Accounts(Repository[Account]):
    model = Account

    async def list_all(self, limit: int) -> list[Account]:
        query = select(Account).order_by(Account.created_at.desc()).limit(limit)
        return list((await self.session.scalars(query)).all())


class Users(Repository[User]):
    model = User

    async def by_email(self, email: str) -> User | None:
        result: User | None = await self.session.scalar(
            select(User).where(User.email == email.lower())
        )
        return result


class Memberships(Repository[Membership]):
    model = Membership

    async def first_for_user(self, user_id: str) -> Membership | None:
        result: Membership | None = await self.session.scalar(
            select(Membership)
            .where(Membership.user_id == user_id)
            .order_by(Membership.created_at)
            .limit(1)
        )
        return result

    async def role(self, account_id: str, user_id: str) -> str | None:
        result: str | None = await self.session.scalar(
            select(Membership.role).where(
                Membership.account_id == account_id, Membership.user_id == user_id
            )
        )
        return result


class Plans:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, account_id: str) -> dict[str, str]:
        rows = await self.session.execute(
            select(AccountPlan.family, AccountPlan.tier).where(AccountPlan.account_id == account_id)
        )
        return {family: tier for family, tier in rows.all()}

    async def replace(self, account_id: str, plans: dict[str, str], source: str) -> None:
        """Make ``plans`` the account's whole set (other families fall back to the default)."""
        await self.session.execute(delete(AccountPlan).where(AccountPlan.account_id == account_id))
        for family, tier in plans.items():
            await self.put(account_id, family, tier, source)

    async def put(self, account_id: str, family: str, tier: str, source: str) -> None:
        statement = insert(AccountPlan).values(
            account_id=account_id, family=family, tier=tier, source=source
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[AccountPlan.account_id, AccountPlan.family],
                set_={"tier": tier, "source": source, "updated_at": func.now()},
            )
        )
