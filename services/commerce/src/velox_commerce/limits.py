"""The plan's caps on what an account keeps (``commerce.stores``, ``commerce.products``).

The gateway signs the caller's plan limits into the identity token; a create that would go
past one is a 403 ``plan-limit-reached`` naming the limit, the cap and the count. Creates
of one account take a transaction-scoped advisory lock per limit first, so two concurrent
creates cannot both take the last place.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import Forbidden

from velox_commerce.db.catalog import Product, Store

__all__ = ["PRODUCTS", "STORES", "PlanLimitReached", "check_room"]

STORES = "commerce.stores"
PRODUCTS = "commerce.products"


class PlanLimitReached(Forbidden):
    problem = "plan-limit-reached"
    title = "Plan limit reached"


def _counted(name: str, account_id: str) -> tuple[type[Store] | type[Product], ColumnElement[bool]]:
    if name == STORES:
        return Store, Store.account_id == account_id
    return Product, Product.account_id == account_id


async def check_room(
    session: AsyncSession, account_id: str, name: str, cap: int | None, adding: int = 1
) -> None:
    """Refuse ``adding`` more of what ``name`` counts when the account would pass ``cap``."""
    if cap is None or adding <= 0:
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"{name}:{account_id}"},
    )
    model, mine = _counted(name, account_id)
    current = int(await session.scalar(select(func.count()).select_from(model).where(mine)) or 0)
    if current + adding > cap:
        raise PlanLimitReached(
            f"The plan allows {cap} of {name}; the account has {current}. Upgrade the plan "
            "or delete some first.",
            extensions={"limit": name, "cap": cap, "current": current},
        )
