"""Accounts: creation, plans, suspension."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.plans import Catalog
from velox_shared.errors import NotFound, UnprocessableContent
from velox_shared.ids import new_id

from velox_gateway.accounts.repository import Accounts, Memberships, Plans
from velox_gateway.db.models import Account, Membership


class AccountNotFound(NotFound):
    problem = "account-not-found"
    title = "Account not found"


class UnknownPlan(UnprocessableContent):
    problem = "unknown-plan"
    title = "Unknown plan"


def parse_plan(catalog: Catalog, value: str) -> tuple[str, str]:
    """``"vin:pro"`` -> ``("vin", "pro")``, checked against the catalogue."""
    family, _, tier = value.partition(":")
    if family not in catalog.families or tier not in catalog.families[family].tiers:
        families = ", ".join(sorted(catalog.families))
        raise UnknownPlan(f"No plan {value!r}; use FAMILY:TIER with a family in {families}.")
    return family, tier


async def create_account(
    session: AsyncSession, *, name: str, owner_user_id: str | None = None
) -> Account:
    account = Account(id=new_id("acc"), name=name, status="active", created_at=datetime.now(UTC))
    await Accounts(session).add(account)
    if owner_user_id is not None:
        membership = Membership(
            id=new_id("mem"),
            account_id=account.id,
            user_id=owner_user_id,
            role="owner",
            created_at=datetime.now(UTC),
        )
        await Memberships(session).add(membership)
    return account


async def set_plans(
    session: AsyncSession, catalog: Catalog, account_id: str, plans: list[str], *, source: str
) -> dict[str, str]:
    await get_account(session, account_id)
    repo = Plans(session)
    for value in plans:
        family, tier = parse_plan(catalog, value)
        await repo.put(account_id, family, tier, source)
    return await repo.of(account_id)


async def get_account(session: AsyncSession, account_id: str) -> Account:
    account = await Accounts(session).get(account_id)
    if account is None:
        raise AccountNotFound(f"No account {account_id}.")
    return account


async def set_status(session: AsyncSession, account_id: str, status: str) -> Account:
    account = await get_account(session, account_id)
    account.status = status
    await session.flush()
    return account
