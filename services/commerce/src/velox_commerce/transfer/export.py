"""Products as rows of the import layout (:mod:`.columns`), so that importing an export
changes nothing.

Products come by handle, 500 at a time with their variants (by position), prices and
category handles. Product-level cells are written on a product's first row only; a
variant title is left blank when it is the one its options make.

Both downloads read in their own session, in one REPEATABLE READ transaction so that the
file is one snapshot of the catalogue (the CSV body is sent after the request's session
has ended)::

    stream = csv_export(context.runtime.sessions, store)
    return StreamingResponse(stream, media_type=CSV_MEDIA)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from velox_commerce.db.catalog import Product, Store, Variant
from velox_commerce.transfer.columns import OPTION_SLOTS, encode_attribute, export_header
from velox_commerce.transfer.plan import derived_title
from velox_commerce.transfer.repository import PriceMap, TransferRepository
from velox_commerce.transfer.tables import BOM, Cell, XlsxSheet, csv_rows

__all__ = ["ProductExport", "csv_export", "xlsx_export"]

BATCH = 500
Row = list[Cell]


class ProductExport:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.store = store
        self.repo = TransferRepository(session, store)
        self.attributes: list[str] = []

    async def header(self) -> list[str]:
        self.attributes = await self.repo.attribute_names()
        return export_header(self.store.currencies, self.attributes)

    async def batches(self) -> AsyncIterator[list[Row]]:
        """The rows of every product, one batch of products at a time (call
        :meth:`header` first)."""
        after: str | None = None
        while True:
            products = await self.repo.products_after(after, BATCH)
            if not products:
                return
            ids = [p.id for p in products]
            variants = await self.repo.variants_of(ids)
            prices = await self.repo.prices_of([v.id for vs in variants.values() for v in vs])
            categories = await self.repo.category_handles(ids)
            batch = [
                self._row(product, variant, index == 0, categories, prices)
                for product in products
                for index, variant in enumerate(variants.get(product.id, []))
            ]
            yield batch
            after = products[-1].handle

    def _row(
        self,
        product: Product,
        variant: Variant,
        first: bool,
        categories: dict[str, list[str]],
        prices: PriceMap,
    ) -> Row:
        """One variant's row; the product's own cells only on its first row."""
        names = [o["name"] for o in product.options]
        options: Row = []
        for slot in range(OPTION_SLOTS):
            name = names[slot] if slot < len(names) else None
            options += [name if first else None, variant.option_values.get(name or "")]
        own = prices.get(variant.id, {})
        currencies = self.store.currencies
        made = derived_title(names, variant.option_values, product.title)
        product_cells: Row = [
            product.title,
            product.description,
            product.status,
            product.seo_title,
            product.seo_description,
            "|".join(categories.get(product.id, [])),
        ]
        return [
            product.handle,
            *(product_cells if first else [None] * len(product_cells)),
            *options,
            variant.sku,
            None if variant.title == made else variant.title,
            variant.barcode,
            variant.weight_grams,
            variant.track_inventory,
            variant.inventory_policy,
            *(own[c][0] if c in own else None for c in currencies),
            *(own[c][1] if c in own else None for c in currencies),
            *(_attribute(product.attributes, a) if first else None for a in self.attributes),
        ]


async def csv_export(
    sessions: async_sessionmaker[AsyncSession], store: Store
) -> AsyncIterator[bytes]:
    """The CSV file, one chunk per batch of products."""
    async with _snapshot(sessions) as session:
        export = ProductExport(session, store)
        yield (BOM + csv_rows([await export.header()])).encode()
        async for batch in export.batches():
            yield csv_rows(batch).encode()


async def xlsx_export(sessions: async_sessionmaker[AsyncSession], store: Store) -> bytes:
    """The workbook (a ZIP file is only complete at its end, so it is sent whole); rows
    go to openpyxl's temporary file batch by batch, the archive is built at the end."""
    async with _snapshot(sessions) as session:
        export = ProductExport(session, store)
        sheet = XlsxSheet("products", await export.header())
        async for batch in export.batches():
            await asyncio.to_thread(sheet.append, batch)
    return await asyncio.to_thread(sheet.finish)


@asynccontextmanager
async def _snapshot(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A read-only session on one snapshot of the catalogue (REPEATABLE READ)."""
    async with sessions() as session:
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


def _attribute(attributes: dict[str, Any], name: str) -> Cell:
    return encode_attribute(attributes[name]) if name in attributes else None
