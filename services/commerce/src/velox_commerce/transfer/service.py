"""Product import: a file checked whole, then written in the request's transaction.

Every error of the file is reported at once with its row and column (up to
:data:`~velox_commerce.transfer.errors.MAX_ERRORS`) and nothing is written unless the
whole file is valid; imports of one store run one at a time (an advisory lock held until
the transaction ends).
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import ProductCreated, ProductUpdated
from velox_shared.events import publish_many

from velox_commerce.db import events
from velox_commerce.db.catalog import Store
from velox_commerce.errors import DuplicateHandle
from velox_commerce.transfer.columns import read_layout, unescape_formula
from velox_commerce.transfer.errors import ErrorList
from velox_commerce.transfer.files import Table, read_table
from velox_commerce.transfer.parse import ProductDraft, parse_rows
from velox_commerce.transfer.plan import Plan, Stored, plan_import
from velox_commerce.transfer.repository import TransferRepository
from velox_commerce.transfer.schemas import ImportCounts, ImportResult

__all__ = ["ImportService"]


class ImportService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = TransferRepository(session, store)

    async def run(self, data: bytes, *, dry_run: bool) -> ImportResult:
        """Check the file and (unless ``dry_run``) apply it; raises ``ImportInvalid``."""
        table = await asyncio.to_thread(read_table, data)
        errors = ErrorList()
        drafts = await asyncio.to_thread(self._drafts, table, errors)
        if not dry_run:
            await self.repo.lock_store()
        stored = await self._stored(drafts)
        now = await self.repo.now()
        plan = await asyncio.to_thread(plan_import, self.store, drafts, stored, errors, now)
        errors.check()
        if not dry_run:
            await self._write(plan)
        return ImportResult(
            dry_run=dry_run,
            format=table.format,
            rows=len(table.rows),
            products=ImportCounts(**vars(plan.products)),
            variants=ImportCounts(**vars(plan.variants)),
        )

    def _drafts(self, table: Table, errors: ErrorList) -> list[ProductDraft]:
        layout = read_layout(table.header, self.store.currencies, errors)
        errors.check()  # rows cannot be read without their header
        rows = table.rows
        if table.format == "csv":
            rows = [(n, [unescape_formula(c) for c in cells]) for n, cells in rows]
        return parse_rows(layout, rows, errors)

    async def _stored(self, drafts: list[ProductDraft]) -> Stored:
        products = await self.repo.products_by_handle([d.handle for d in drafts])
        ids = [p.id for p in products.values()]
        variants = await self.repo.variants_of(ids)
        skus = [v.sku for d in drafts for v in d.variants]
        return Stored(
            products=products,
            variants=variants,
            owners=await self.repo.variants_by_sku(skus),
            prices=await self.repo.prices_of([v.id for vs in variants.values() for v in vs]),
            categories=await self.repo.categories_of(ids),
            category_ids=await self.repo.category_ids(),
        )

    async def _write(self, plan: Plan) -> None:
        repo = self.repo
        try:
            await repo.insert_products(plan.new_products)
            await repo.update_products(plan.product_updates)
            await repo.insert_variants(plan.new_variants)
            await repo.update_variants(plan.variant_updates)
            await repo.delete_prices(plan.price_deletes)
            await repo.upsert_prices(plan.price_upserts)
            await repo.replace_categories(plan.categories)
        except IntegrityError:
            # Checked above under the store's import lock; only a concurrent API call
            # (a product or SKU made meanwhile) gets here. The request rolls back whole.
            raise DuplicateHandle(
                "A handle or SKU of the file was taken while it was imported; try again."
            ) from None
        await self._publish(plan)

    async def _publish(self, plan: Plan) -> None:
        """The events the catalogue API would publish for the same changes."""
        store = self.store
        created = [
            ProductCreated(
                store_id=store.id, product_id=row["id"], handle=row["handle"], status=row["status"]
            )
            for row in plan.new_products
        ]
        updated = [
            ProductUpdated(store_id=store.id, product_id=product_id, changed=fields)
            for product_id, fields in plan.changed.items()
        ]
        await publish_many(self.session, events, [*created, *updated], account_id=store.account_id)
