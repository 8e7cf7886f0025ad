"""Catalogue queries; every one filters by account and store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult, paginate

from velox_commerce.db.catalog import Category, Product, ProductCategory, Variant, VariantPrice

__all__ = ["CatalogRepository"]


class CatalogRepository:
    def __init__(self, session: AsyncSession, account_id: str, store_id: str) -> None:
        self.session = session
        self.account_id = account_id
        self.store_id = store_id

    def _products(self) -> Select[Any]:
        return select(Product).where(
            Product.account_id == self.account_id, Product.store_id == self.store_id
        )

    async def product(self, product_id: str) -> Product | None:
        product: Product | None = await self.session.scalar(
            self._products().where(Product.id == product_id)
        )
        return product

    async def products_page(
        self, *, status: str | None, limit: int, cursor: str | None
    ) -> PageResult[Product]:
        query = self._products()
        if status is not None:
            query = query.where(Product.status == status)
        return await paginate(
            self.session, query, Product.created_at, Product.id, limit=limit, cursor=cursor
        )

    async def variants_of(self, product_ids: Sequence[str]) -> dict[str, list[Variant]]:
        rows = await self.session.scalars(
            select(Variant)
            .where(Variant.account_id == self.account_id, Variant.product_id.in_(product_ids))
            .order_by(Variant.product_id, Variant.position, Variant.id)
        )
        grouped: dict[str, list[Variant]] = defaultdict(list)
        for variant in rows:
            grouped[variant.product_id].append(variant)
        return grouped

    async def variant(self, variant_id: str) -> Variant | None:
        return await self.session.scalar(
            select(Variant).where(
                Variant.id == variant_id,
                Variant.account_id == self.account_id,
                Variant.store_id == self.store_id,
            )
        )

    async def prices_of(
        self, variant_ids: Sequence[str]
    ) -> dict[str, dict[str, tuple[int, int | None]]]:
        rows = await self.session.execute(
            select(
                VariantPrice.variant_id,
                VariantPrice.currency,
                VariantPrice.amount,
                VariantPrice.compare_at_amount,
            ).where(
                VariantPrice.account_id == self.account_id,
                VariantPrice.variant_id.in_(variant_ids),
            )
        )
        prices: dict[str, dict[str, tuple[int, int | None]]] = defaultdict(dict)
        for variant_id, currency, amount, compare_at in rows:
            prices[variant_id][currency] = (amount, compare_at)
        return prices

    async def categories_of(self, product_ids: Sequence[str]) -> dict[str, list[str]]:
        rows = await self.session.execute(
            select(ProductCategory.product_id, ProductCategory.category_id).where(
                ProductCategory.product_id.in_(product_ids)
            )
        )
        grouped: dict[str, list[str]] = defaultdict(list)
        for product_id, category_id in rows:
            grouped[product_id].append(category_id)
        return grouped

    async def existing_categories(self, ids: Iterable[str]) -> set[str]:
        wanted = list(set(ids))
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(Category.id).where(
                Category.id.in_(wanted),
                Category.account_id == self.account_id,
                Category.store_id == self.store_id,
            )
        )
        return set(rows)

    async def add_variants(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(insert(Variant), rows)

    async def upsert_prices(self, rows: list[dict[str, Any]], *, keep_compare_at: bool) -> None:
        """Insert or replace prices (``keep_compare_at``: a replaced price keeps its
        compare-at price)."""
        if not rows:
            return
        statement = pg_insert(VariantPrice)
        changes = {"amount": statement.excluded.amount}
        if not keep_compare_at:
            changes["compare_at_amount"] = statement.excluded.compare_at_amount
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[VariantPrice.variant_id, VariantPrice.currency], set_=changes
            ),
            rows,
        )

    async def free_handle(self, model: type[Product] | type[Category], base: str) -> str:
        """``base``, else ``base-2``, ``base-3``...: the first handle not taken in the store
        (at most 100 characters)."""
        taken = set(
            await self.session.scalars(
                select(model.handle).where(
                    model.store_id == self.store_id, model.handle.startswith(base[:90])
                )
            )
        )
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            suffix = f"-{number}"
            candidate = base[: 100 - len(suffix)].rstrip("-") + suffix
        return candidate

    async def sibling_with(self, variant: Variant, option_values: dict[str, str]) -> str | None:
        """Another variant of the product with these option values, if any."""
        return await self.session.scalar(
            select(Variant.id).where(
                Variant.product_id == variant.product_id,
                Variant.id != variant.id,
                Variant.option_values == option_values,
            )
        )

    async def set_categories(self, product_id: str, category_ids: Sequence[str]) -> None:
        await self.session.execute(
            delete(ProductCategory).where(ProductCategory.product_id == product_id)
        )
        if category_ids:
            await self.session.execute(
                insert(ProductCategory),
                [{"product_id": product_id, "category_id": c} for c in dict.fromkeys(category_ids)],
            )

    async def categories(self) -> list[Category]:
        rows = await self.session.scalars(
            select(Category)
            .where(Category.account_id == self.account_id, Category.store_id == self.store_id)
            .order_by(Category.parent_id.nulls_first(), Category.position, Category.name)
        )
        return list(rows)

    async def category(self, category_id: str) -> Category | None:
        return await self.session.scalar(
            select(Category).where(
                Category.id == category_id,
                Category.account_id == self.account_id,
                Category.store_id == self.store_id,
            )
        )
