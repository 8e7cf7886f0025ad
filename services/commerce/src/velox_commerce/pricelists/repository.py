"""Price list and sale price queries; every one filters by account and store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store, Variant, VariantPrice
from velox_commerce.db.customers import CustomerGroup, PriceList, PriceListPrice
from velox_commerce.repository import StoreRepository

__all__ = ["PriceListRepository", "SaleRepository"]


class PriceListRepository(StoreRepository[PriceList]):
    model = PriceList

    async def filtered_page(
        self,
        *,
        currency: str | None,
        customer_group_id: str | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[PriceList]:
        query = self.query()
        if currency is not None:
            query = query.where(PriceList.currency == currency)
        if customer_group_id is not None:
            query = query.where(PriceList.customer_group_id == customer_group_id)
        if active is not None:
            query = query.where(PriceList.active.is_(active))
        return await self.page(query, limit=limit, cursor=cursor)

    async def group_exists(self, group_id: str) -> bool:
        found = await self.session.scalar(
            select(CustomerGroup.id).where(
                CustomerGroup.id == group_id,
                CustomerGroup.account_id == self.account_id,
                CustomerGroup.store_id == self.store_id,
            )
        )
        return found is not None

    async def existing_variants(self, ids: Sequence[str]) -> set[str]:
        rows = await self.session.scalars(
            select(Variant.id).where(
                Variant.id.in_(list(ids)),
                Variant.account_id == self.account_id,
                Variant.store_id == self.store_id,
            )
        )
        return set(rows)

    async def set_prices(self, rows: list[dict[str, Any]]) -> None:
        """Insert or replace tiers (rows name price_list_id, variant_id, min_quantity)."""
        if not rows:
            return
        statement = pg_insert(PriceListPrice)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    PriceListPrice.price_list_id,
                    PriceListPrice.variant_id,
                    PriceListPrice.min_quantity,
                ],
                set_={"amount": statement.excluded.amount},
            ),
            rows,
        )

    async def remove_prices(self, price_list_id: str, keys: Sequence[tuple[str, int]]) -> int:
        """Delete the (variant_id, min_quantity) tiers named; how many existed."""
        if not keys:
            return 0
        result = await self.session.execute(
            delete(PriceListPrice).where(
                PriceListPrice.price_list_id == price_list_id,
                PriceListPrice.account_id == self.account_id,
                tuple_(PriceListPrice.variant_id, PriceListPrice.min_quantity).in_(list(keys)),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def tiers_of(
        self, price_list_id: str, variant_ids: Sequence[str]
    ) -> dict[str, dict[int, int]]:
        """The stored tiers (min quantity -> amount) of these variants in the list."""
        rows = await self.session.execute(
            select(
                PriceListPrice.variant_id, PriceListPrice.min_quantity, PriceListPrice.amount
            ).where(
                PriceListPrice.price_list_id == price_list_id,
                PriceListPrice.account_id == self.account_id,
                PriceListPrice.variant_id.in_(list(variant_ids)),
            )
        )
        tiers: dict[str, dict[int, int]] = {}
        for variant_id, quantity, amount in rows:
            tiers.setdefault(variant_id, {})[quantity] = amount
        return tiers

    async def prices(
        self,
        price_list_id: str,
        *,
        variant_id: str | None,
        after: tuple[str, int] | None,
        limit: int,
    ) -> list[PriceListPrice]:
        """Tiers by variant and quantity, ``limit`` of them after ``after``."""
        query = select(PriceListPrice).where(
            PriceListPrice.price_list_id == price_list_id,
            PriceListPrice.account_id == self.account_id,
        )
        if variant_id is not None:
            query = query.where(PriceListPrice.variant_id == variant_id)
        if after is not None:
            query = query.where(
                tuple_(PriceListPrice.variant_id, PriceListPrice.min_quantity) > tuple_(*after)
            )
        query = query.order_by(PriceListPrice.variant_id, PriceListPrice.min_quantity)
        return list(await self.session.scalars(query.limit(limit)))


class SaleRepository:
    """The sale columns of a store's variant prices."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    async def product_of(self, variant_id: str) -> str | None:
        """The product id of the store's variant, None when there is no such variant."""
        found: str | None = await self.session.scalar(
            select(Variant.product_id).where(
                Variant.id == variant_id,
                Variant.account_id == self.account_id,
                Variant.store_id == self.store_id,
            )
        )
        return found

    async def prices(self, variant_id: str) -> list[VariantPrice]:
        """The variant's prices that carry a sale, by currency."""
        rows = await self.session.scalars(
            select(VariantPrice)
            .where(
                VariantPrice.variant_id == variant_id,
                VariantPrice.account_id == self.account_id,
                VariantPrice.sale_amount.is_not(None),
            )
            .order_by(VariantPrice.currency)
        )
        return list(rows)

    async def set_sale(
        self,
        variant_id: str,
        currency: str,
        amount: int | None,
        starts_at: datetime | None,
        ends_at: datetime | None,
    ) -> VariantPrice | None:
        """Write the sale of one currency's price; None when the variant has no such price."""
        result: VariantPrice | None = await self.session.scalar(
            update(VariantPrice)
            .where(
                VariantPrice.variant_id == variant_id,
                VariantPrice.currency == currency,
                VariantPrice.account_id == self.account_id,
            )
            .values(sale_amount=amount, sale_starts_at=starts_at, sale_ends_at=ends_at)
            .returning(VariantPrice)
            .execution_options(populate_existing=True)
        )
        return result

    async def clear_sales(self, variant_id: str, currency: str | None) -> int:
        """Remove the sale of ``currency`` (every currency when None); how many there were."""
        query = update(VariantPrice).where(
            VariantPrice.variant_id == variant_id,
            VariantPrice.account_id == self.account_id,
            VariantPrice.sale_amount.is_not(None),
        )
        if currency is not None:
            query = query.where(VariantPrice.currency == currency)
        result = await self.session.execute(
            query.values(sale_amount=None, sale_starts_at=None, sale_ends_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)
