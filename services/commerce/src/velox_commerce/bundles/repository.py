"""Bundle rows of one store. ``bundle_components`` carries the account; the store is the
variants', so queries join the variants and filter by both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, exists, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import PageResult, paginate

from velox_commerce.db.aftersales import BundleComponent
from velox_commerce.db.catalog import Store, Variant

__all__ = ["BundleRepository"]

_AVAILABLE = text(
    """
    SELECT v.id,
           COALESCE((SELECT sum(s.on_hand - s.allocated) FROM commerce.stock_levels s
                     WHERE s.variant_id = v.id AND s.account_id = :account), 0)
         - COALESCE((SELECT sum(r.quantity) FROM commerce.reservations r
                     WHERE r.variant_id = v.id AND r.expires_at > now()), 0)
    FROM commerce.variants v
    WHERE v.id = ANY(CAST(:variants AS text[])) AND v.account_id = :account
      AND v.store_id = :store
    """
)
_OWN_STOCK = text(
    """
    SELECT EXISTS (SELECT 1 FROM commerce.stock_levels
                   WHERE variant_id = :variant AND account_id = :account
                     AND (on_hand <> 0 OR allocated <> 0))
    """
)


class BundleRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    def _variants(self) -> Select[Any]:
        return select(Variant).where(
            Variant.account_id == self.account_id, Variant.store_id == self.store_id
        )

    async def lock_store(self) -> None:
        """One bundle change at a time per store, so two changes cannot nest bundles
        (A in B while B goes in A) between their checks."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"commerce.bundles:{self.store_id}"},
        )

    async def variants(self, ids: Sequence[str]) -> dict[str, Variant]:
        rows = await self.session.scalars(self._variants().where(Variant.id.in_(ids)))
        return {v.id: v for v in rows}

    async def bundles_among(self, ids: Sequence[str]) -> set[str]:
        rows = await self.session.scalars(
            select(BundleComponent.bundle_variant_id)
            .where(
                BundleComponent.account_id == self.account_id,
                BundleComponent.bundle_variant_id.in_(ids),
            )
            .distinct()
        )
        return set(rows)

    async def bundles_containing(self, variant_id: str) -> list[str]:
        rows = await self.session.scalars(
            select(BundleComponent.bundle_variant_id).where(
                BundleComponent.account_id == self.account_id,
                BundleComponent.component_variant_id == variant_id,
            )
        )
        return sorted(rows)

    async def has_own_stock(self, variant_id: str) -> bool:
        found = await self.session.scalar(
            _OWN_STOCK, {"variant": variant_id, "account": self.account_id}
        )
        return bool(found)

    async def components(self, bundle_ids: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        """``{bundle: [(component, quantity), ...]}`` in component id order."""
        rows = await self.session.execute(
            select(
                BundleComponent.bundle_variant_id,
                BundleComponent.component_variant_id,
                BundleComponent.quantity,
            )
            .where(
                BundleComponent.account_id == self.account_id,
                BundleComponent.bundle_variant_id.in_(bundle_ids),
            )
            .order_by(BundleComponent.bundle_variant_id, BundleComponent.component_variant_id)
        )
        found: dict[str, list[tuple[str, int]]] = {}
        for bundle, component, quantity in rows:
            found.setdefault(bundle, []).append((component, quantity))
        return found

    async def replace(self, bundle_id: str, components: Sequence[tuple[str, int]]) -> None:
        await self.delete(bundle_id)
        await self.session.execute(
            insert(BundleComponent),
            [
                {
                    "bundle_variant_id": bundle_id,
                    "component_variant_id": component,
                    "account_id": self.account_id,
                    "quantity": quantity,
                }
                for component, quantity in components
            ],
        )

    async def delete(self, bundle_id: str) -> int:
        result = await self.session.execute(
            delete(BundleComponent).where(
                BundleComponent.account_id == self.account_id,
                BundleComponent.bundle_variant_id == bundle_id,
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def available(self, variant_ids: Sequence[str]) -> dict[str, int]:
        """On hand - allocated - live reservations, per variant of this store."""
        rows = await self.session.execute(
            _AVAILABLE,
            {"variants": list(variant_ids), "account": self.account_id, "store": self.store_id},
        )
        return {variant: int(units) for variant, units in rows}

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[Variant]:
        """The store's bundle variants, newest first."""
        is_bundle = exists().where(
            BundleComponent.bundle_variant_id == Variant.id,
            BundleComponent.account_id == self.account_id,
        )
        query: Select[Any] = self._variants().where(is_bundle)
        return await paginate(
            self.session, query, Variant.created_at, Variant.id, limit=limit, cursor=cursor
        )
