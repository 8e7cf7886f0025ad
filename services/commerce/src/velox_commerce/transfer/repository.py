"""Bulk catalogue queries of import and export; every one filters by account and store.

Lists of keys are sent in chunks (an IN list is one bind parameter per value and
PostgreSQL takes at most 32,767); writes are one executemany per kind of row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.catalog.repository import CatalogRepository
from velox_commerce.db.catalog import (
    Category,
    Product,
    ProductCategory,
    Store,
    Variant,
    VariantPrice,
)

__all__ = ["PriceMap", "TransferRepository"]

CHUNK = 5000
PriceMap = dict[str, dict[str, tuple[int, int | None]]]
_PRODUCT_FIELDS = ("title", "description", "status", "seo_title", "seo_description")
_VARIANT_FIELDS = (
    "barcode",
    "title",
    "option_values",
    "weight_grams",
    "track_inventory",
    "inventory_policy",
)
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class TransferRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id
        self.catalog = CatalogRepository(session, store.account_id, store.id)

    async def lock_store(self) -> None:
        """One import per store at a time (until the transaction ends)."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('commerce.import:' || :store))"),
            {"store": self.store_id},
        )

    async def now(self) -> datetime:
        """The transaction's time, as ``now()`` gives it in SQL."""
        moment = await self.session.scalar(select(func.now()))
        assert isinstance(moment, datetime)
        return moment

    async def products_by_handle(self, handles: Sequence[str]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        for chunk in _chunks(handles):
            rows = await self.session.scalars(
                select(Product).where(
                    Product.account_id == self.account_id,
                    Product.store_id == self.store_id,
                    Product.handle.in_(chunk),
                )
            )
            found.update((p.handle, p) for p in rows)
        return found

    async def variants_by_sku(self, skus: Sequence[str]) -> dict[str, tuple[str, str]]:
        """SKU -> (product id, product handle) of the store's variants with these SKUs."""
        found: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(skus):
            rows = await self.session.execute(
                select(Variant.sku, Product.id, Product.handle)
                .join(Product, Product.id == Variant.product_id)
                .where(
                    Variant.account_id == self.account_id,
                    Variant.store_id == self.store_id,
                    Variant.sku.in_(chunk),
                )
            )
            found.update((sku, (product_id, handle)) for sku, product_id, handle in rows)
        return found

    async def variants_of(self, product_ids: Sequence[str]) -> dict[str, list[Variant]]:
        found: dict[str, list[Variant]] = {}
        for chunk in _chunks(product_ids):
            found.update(await self.catalog.variants_of(chunk))
        return found

    async def prices_of(self, variant_ids: Sequence[str]) -> PriceMap:
        found: PriceMap = {}
        for chunk in _chunks(variant_ids):
            found.update(await self.catalog.prices_of(chunk))
        return found

    async def categories_of(self, product_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for chunk in _chunks(product_ids):
            found.update(await self.catalog.categories_of(chunk))
        return found

    async def category_ids(self) -> dict[str, str]:
        """Handle -> id of every category of the store."""
        rows = await self.session.execute(
            select(Category.handle, Category.id).where(
                Category.account_id == self.account_id, Category.store_id == self.store_id
            )
        )
        return {handle: id_ for handle, id_ in rows}

    async def insert_products(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(Product), rows)

    async def update_products(self, rows: list[dict[str, Any]]) -> None:
        """Rows of ``id`` and every updatable product column."""
        await self._update(Product, ("options", "attributes", *_PRODUCT_FIELDS), rows)

    async def insert_variants(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.catalog.add_variants(rows)

    async def update_variants(self, rows: list[dict[str, Any]]) -> None:
        """Rows of ``id`` and every updatable variant column."""
        await self._update(Variant, _VARIANT_FIELDS, rows)

    async def _update(
        self, model: type[Product] | type[Variant], names: Sequence[str], rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        table = model.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.account_id == self.account_id,
                table.c.store_id == self.store_id,
            )
            .values({name: bindparam(f"b_{name}") for name in (*names, "updated_at")})
        )
        params = [{f"b_{key}": value for key, value in row.items()} for row in rows]
        await self.session.execute(statement, params)

    async def upsert_prices(self, rows: list[dict[str, Any]]) -> None:
        """Insert or replace prices and their compare-at prices (sale prices are kept)."""
        for chunk in _chunks(rows):
            await self.catalog.upsert_prices(list(chunk), keep_compare_at=False)

    async def delete_prices(self, keys: list[tuple[str, str]]) -> None:
        """Remove the (variant id, currency) prices."""
        for chunk in _chunks(keys):
            await self.session.execute(
                delete(VariantPrice).where(
                    VariantPrice.account_id == self.account_id,
                    tuple_(VariantPrice.variant_id, VariantPrice.currency).in_(chunk),
                )
            )

    async def replace_categories(self, categories: dict[str, list[str]]) -> None:
        """Set the categories of each product id (its previous ones are dropped)."""
        product_ids = list(categories)
        for chunk in _chunks(product_ids):
            await self.session.execute(
                delete(ProductCategory).where(ProductCategory.product_id.in_(chunk))
            )
        pairs = [
            {"product_id": product_id, "category_id": category_id}
            for product_id, ids in categories.items()
            for category_id in dict.fromkeys(ids)
        ]
        if pairs:
            await self.session.execute(insert(ProductCategory), pairs)

    # Export

    async def attribute_names(self) -> list[str]:
        """Every attribute name used by the store's products, sorted."""
        key = func.jsonb_object_keys(Product.attributes).label("key")
        rows = await self.session.scalars(
            select(key)
            .where(Product.account_id == self.account_id, Product.store_id == self.store_id)
            .distinct()
            .order_by("key")
        )
        return list(rows)

    async def products_after(self, handle: str | None, limit: int) -> list[Product]:
        """The next ``limit`` products by handle."""
        query = (
            select(Product)
            .where(Product.account_id == self.account_id, Product.store_id == self.store_id)
            .order_by(Product.handle)
            .limit(limit)
        )
        if handle is not None:
            query = query.where(Product.handle > handle)
        return list(await self.session.scalars(query))

    async def category_handles(self, product_ids: Sequence[str]) -> dict[str, list[str]]:
        """Product id -> handles of its categories, sorted."""
        rows = await self.session.execute(
            select(ProductCategory.product_id, Category.handle)
            .join(Category, Category.id == ProductCategory.category_id)
            .where(
                Category.account_id == self.account_id,
                Category.store_id == self.store_id,
                ProductCategory.product_id.in_(product_ids),
            )
            .order_by(ProductCategory.product_id, Category.handle)
        )
        grouped: dict[str, list[str]] = defaultdict(list)
        for product_id, handle in rows:
            grouped[product_id].append(handle)
        return grouped
