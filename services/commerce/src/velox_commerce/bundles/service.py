"""Bundle rules: components are other variants of the same store, each once, with a
positive quantity; a bundle holds no bundle and is in none (one level), and holds no
stock of its own (its stock is its components')."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import PageResult

from velox_commerce.bundles.repository import BundleRepository
from velox_commerce.bundles.schemas import BundleComponentOut, BundleIn, BundleOut
from velox_commerce.bundles.stock import Component, bundle_available
from velox_commerce.db.catalog import Store, Variant
from velox_commerce.errors import ResourceNotFound, StateConflict

__all__ = ["BundleService"]


class BundleService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = BundleRepository(session, store)

    async def _variant(self, variant_id: str) -> Variant:
        found = (await self.repo.variants([variant_id])).get(variant_id)
        if found is None:
            raise ResourceNotFound.of("variant", variant_id)
        return found

    async def put(self, variant_id: str, data: BundleIn) -> BundleOut:
        """Make the variant a bundle of ``data.components`` (replacing its components)."""
        await self.repo.lock_store()
        await self._variant(variant_id)
        ids = [c.variant_id for c in data.components]
        if variant_id in ids:
            raise UnprocessableContent("A bundle cannot contain itself.")
        found = await self.repo.variants(ids)
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise UnprocessableContent(
                f"No variant {', '.join(unknown)} in this store.", extensions={"unknown": unknown}
            )
        nested = sorted(await self.repo.bundles_among(ids))
        if nested:
            raise UnprocessableContent(
                f"{', '.join(nested)} is a bundle; bundles hold plain variants only.",
                extensions={"bundles": nested},
            )
        parents = await self.repo.bundles_containing(variant_id)
        if parents:
            raise UnprocessableContent(
                f"{variant_id} is a component of {', '.join(parents)}; a bundle cannot be one.",
                extensions={"bundles": parents},
            )
        if await self.repo.has_own_stock(variant_id):
            raise StateConflict(
                f"{variant_id} has stock of its own; count it to zero before making it a"
                " bundle (a bundle's stock is its components')."
            )
        await self.repo.replace(variant_id, [(c.variant_id, c.quantity) for c in data.components])
        return (await self._render([await self._variant(variant_id)]))[0]

    async def get(self, variant_id: str) -> BundleOut:
        variant = await self._variant(variant_id)
        rendered = await self._render([variant])
        if not rendered:
            raise ResourceNotFound(
                f"Variant {variant_id} is not a bundle.", extensions={"resource": "bundle"}
            )
        return rendered[0]

    async def delete(self, variant_id: str) -> None:
        """The variant is a plain variant again (with no stock of its own)."""
        await self.repo.lock_store()
        await self._variant(variant_id)
        if not await self.repo.delete(variant_id):
            raise ResourceNotFound(
                f"Variant {variant_id} is not a bundle.", extensions={"resource": "bundle"}
            )

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[BundleOut]:
        page = await self.repo.page(limit=limit, cursor=cursor)
        return PageResult(items=await self._render(page.items), next_cursor=page.next_cursor)

    async def _render(self, bundles: Sequence[Variant]) -> list[BundleOut]:
        """The bundles among ``bundles`` with their components and derived stock."""
        parts = await self.repo.components([b.id for b in bundles])
        component_ids = sorted({c for comps in parts.values() for c, _ in comps})
        variants = await self.repo.variants(component_ids) if component_ids else {}
        available = await self.repo.available(component_ids) if component_ids else {}
        out = []
        for bundle in bundles:
            if bundle.id not in parts:
                continue
            components = [
                Component(c, q, variants[c].track_inventory, variants[c].inventory_policy)
                for c, q in parts[bundle.id]
            ]
            out.append(
                BundleOut(
                    variant_id=bundle.id,
                    product_id=bundle.product_id,
                    sku=bundle.sku,
                    title=bundle.title,
                    components=[
                        self._component_out(c, variants[c.variant_id], available)
                        for c in components
                    ],
                    available=bundle_available(components, available),
                )
            )
        return out

    @staticmethod
    def _component_out(
        component: Component, variant: Variant, available: dict[str, int]
    ) -> BundleComponentOut:
        return BundleComponentOut(
            variant_id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            title=variant.title,
            quantity=component.quantity,
            available=available.get(variant.id, 0) if component.limits else None,
        )
