"""Promotion rules: coupon codes unique per store whatever their case, fields that fit the
kind (:func:`~velox_commerce.promotions.schemas.check_rules`), a currency the store offers,
products and categories of the same store."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.db.checkout import Promotion
from velox_commerce.errors import DuplicateHandle, ResourceNotFound
from velox_commerce.promotions.repository import PromotionRepository
from velox_commerce.promotions.schemas import (
    RULE_FIELDS,
    PromotionCreate,
    PromotionUpdate,
    check_rules,
)
from velox_commerce.store_rules import offered_currency

__all__ = ["PromotionService"]


class PromotionService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = PromotionRepository(session, store)

    async def get(self, promotion_id: str, *, lock: bool = False) -> Promotion:
        promotion = await self.repo.get(promotion_id, lock=lock)
        if promotion is None:
            raise ResourceNotFound.of("promotion", promotion_id)
        return promotion

    async def page(
        self, *, active: bool | None, code: str | None, limit: int, cursor: str | None
    ) -> PageResult[Promotion]:
        return await self.repo.filtered_page(active=active, code=code, limit=limit, cursor=cursor)

    async def create(self, data: PromotionCreate) -> Promotion:
        values = data.model_dump()
        await self._check_references(values)
        promotion = Promotion(
            id=new_id("promo"), account_id=self.store.account_id, store_id=self.store.id, **values
        )
        try:
            async with self.session.begin_nested():
                return await self.repo.add(promotion)
        except IntegrityError:
            raise _duplicate(data.code) from None

    async def update(self, promotion_id: str, data: PromotionUpdate) -> Promotion:
        promotion = await self.get(promotion_id, lock=True)
        changes = data.model_dump(exclude_unset=True)
        try:
            check_rules({name: getattr(promotion, name) for name in RULE_FIELDS} | changes)
        except ValueError as exc:
            raise UnprocessableContent(str(exc)) from None
        await self._check_references(changes)
        try:
            async with self.session.begin_nested():
                for name, value in changes.items():
                    setattr(promotion, name, value)
                await self.session.flush()
        except IntegrityError:
            raise _duplicate(changes.get("code")) from None
        return promotion

    async def delete(self, promotion_id: str) -> None:
        await self.repo.delete(await self.get(promotion_id))

    async def _check_references(self, values: dict[str, Any]) -> None:
        """The currency, products and categories named in ``values`` are the store's."""
        if values.get("currency") is not None:
            offered_currency(self.store, values["currency"])
        for field, known in (
            ("product_ids", self.repo.existing_products),
            ("category_ids", self.repo.existing_categories),
        ):
            wanted = values.get(field) or []
            missing = sorted(set(wanted) - await known(wanted))
            if missing:
                raise UnprocessableContent(
                    f"{field}: no {', '.join(missing)} in this store.",
                    extensions={field: missing},
                )


def _duplicate(code: str | None) -> DuplicateHandle:
    return DuplicateHandle(
        f"A promotion with code {code!r} exists in this store (codes ignore case).",
        extensions={"code": code},
    )
