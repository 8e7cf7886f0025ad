"""Store rules: handles unique per account, the default currency always offered."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult
from velox_shared.repository import Repository

from velox_commerce.db.catalog import Store
from velox_commerce.errors import DuplicateHandle, ResourceNotFound, StateConflict
from velox_commerce.limits import STORES, check_room
from velox_commerce.stores.schemas import StoreCreate, StoreUpdate

__all__ = ["StoreService", "Stores"]


class Stores(Repository[Store]):
    model = Store


class StoreService:
    def __init__(self, session: AsyncSession, account_id: str) -> None:
        self.session = session
        self.account_id = account_id
        self.stores = Stores(session)

    async def get(self, store_id: str) -> Store:
        store = await self.stores.get(store_id, account_id=self.account_id)
        if store is None:
            raise ResourceNotFound.of("store", store_id)
        return store

    async def create(self, data: StoreCreate, *, cap: int | None = None) -> Store:
        """A new store; ``cap`` is the plan's ``commerce.stores`` limit (None: none)."""
        await check_room(self.session, self.account_id, STORES, cap)
        store = Store(id=new_id("sto"), account_id=self.account_id, **data.model_dump())
        try:
            async with self.session.begin_nested():
                await self.stores.add(store)
        except IntegrityError:
            raise DuplicateHandle(f"A store with handle {data.handle!r} exists.") from None
        await self.session.refresh(store)
        return store

    async def update(self, store_id: str, data: StoreUpdate) -> Store:
        store = await self.get(store_id)
        changes = data.model_dump(exclude_unset=True)
        currencies = changes.get("currencies")
        if currencies is not None:
            if store.default_currency not in currencies:
                raise StateConflict(
                    f"The default currency {store.default_currency} must stay offered."
                )
            changes["currencies"] = list(dict.fromkeys(currencies))
        for name, value in changes.items():
            setattr(store, name, value)
        store.updated_at = func.now()
        await self.session.flush()
        await self.session.refresh(store)
        return store

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[Store]:
        return await self.stores.page(
            self.stores.query(account_id=self.account_id), limit=limit, cursor=cursor
        )
