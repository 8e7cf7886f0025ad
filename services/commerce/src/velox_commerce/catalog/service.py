"""Catalogue rules: SKUs unique per store, prices only in the store's currencies, options
that every variant fills, categories of the same store."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import ProductCreated, ProductUpdated
from velox_shared.errors import UnprocessableContent
from velox_shared.events import publish
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.catalog.repository import CatalogRepository
from velox_commerce.catalog.schemas import (
    CategoryCreate,
    CategoryOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    VariantOut,
    VariantUpdate,
    check_option_values,
)
from velox_commerce.db import events
from velox_commerce.db.catalog import Category, Product, Store, Variant
from velox_commerce.errors import DuplicateHandle, ResourceNotFound
from velox_commerce.images.repository import ImageRepository
from velox_commerce.images.urls import ImageUrls, image_out
from velox_commerce.limits import PRODUCTS, check_room

__all__ = ["CatalogService", "handle_for"]


def handle_for(title: str) -> str:
    """A URL handle from a title: ASCII, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    handle = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:100]
    return handle.strip("-") or "item"


def _variant_title(option_values: dict[str, str], fallback: str) -> str:
    return (" / ".join(option_values.values()) or fallback)[:300]


class CatalogService:
    def __init__(
        self, session: AsyncSession, store: Store, image_urls: ImageUrls | None = None
    ) -> None:
        self.session = session
        self.store = store
        self.repo = CatalogRepository(session, store.account_id, store.id)
        # Without the deployment's public base URL, image URLs point at the service.
        self.image_urls = image_urls or ImageUrls()

    def _check_currencies(self, prices: dict[str, int], where: str) -> None:
        unknown = sorted(set(prices) - set(self.store.currencies))
        if unknown:
            raise UnprocessableContent(
                f"{where}: {', '.join(unknown)} is not a currency of this store "
                f"({', '.join(self.store.currencies)}).",
                extensions={"currencies": unknown},
            )

    async def _check_categories(self, ids: list[str]) -> None:
        missing = sorted(set(ids) - await self.repo.existing_categories(ids))
        if missing:
            raise UnprocessableContent(
                f"No category {', '.join(missing)} in this store.",
                extensions={"category_ids": missing},
            )

    async def create_product(self, data: ProductCreate, *, cap: int | None = None) -> ProductOut:
        """A product with its variants; ``cap`` is the plan's ``commerce.products`` limit."""
        for index, variant in enumerate(data.variants):
            self._check_currencies(variant.prices, f"variants[{index}].prices")
            self._check_currencies(variant.compare_at_prices, f"variants[{index}].compare_at")
        await self._check_categories(data.category_ids)
        await check_room(self.session, self.store.account_id, PRODUCTS, cap)
        product = Product(
            id=new_id("prod"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            title=data.title,
            handle=data.handle or await self.repo.free_handle(Product, handle_for(data.title)),
            description=data.description,
            status=data.status,
            options=[o.model_dump() for o in data.options],
            attributes=data.attributes,
            seo_title=data.seo_title,
            seo_description=data.seo_description,
        )
        variants: list[dict[str, Any]] = []
        prices: list[dict[str, Any]] = []
        for position, item in enumerate(data.variants):
            variant_id = new_id("var")
            variants.append(
                {
                    "id": variant_id,
                    "account_id": self.store.account_id,
                    "store_id": self.store.id,
                    "product_id": product.id,
                    "sku": item.sku,
                    "barcode": item.barcode,
                    "title": item.title or _variant_title(item.option_values, data.title),
                    "option_values": item.option_values,
                    "weight_grams": item.weight_grams,
                    "track_inventory": item.track_inventory,
                    "inventory_policy": item.inventory_policy,
                    "position": position,
                }
            )
            prices.extend(self._price_rows(variant_id, item.prices, item.compare_at_prices))
        try:
            async with self.session.begin_nested():
                self.session.add(product)
                await self.session.flush()
                await self.repo.add_variants(variants)
                await self.repo.upsert_prices(prices, keep_compare_at=False)
                await self.repo.set_categories(product.id, data.category_ids)
        except IntegrityError as exc:
            raise self._duplicate(exc) from None
        created = ProductCreated(
            store_id=self.store.id, product_id=product.id, handle=product.handle, status=data.status
        )
        await publish(self.session, events, created, account_id=self.store.account_id)
        return await self.product(product.id)

    def _price_rows(
        self, variant_id: str, prices: dict[str, int], compare_at: dict[str, int]
    ) -> list[dict[str, Any]]:
        return [
            {
                "variant_id": variant_id,
                "currency": currency,
                "account_id": self.store.account_id,
                "amount": amount,
                "compare_at_amount": compare_at.get(currency),
            }
            for currency, amount in prices.items()
        ]

    @staticmethod
    def _duplicate(exc: IntegrityError) -> DuplicateHandle:
        text = str(exc.orig)
        if "uq_variants_store_sku" in text:
            return DuplicateHandle("A variant with one of these SKUs exists in this store.")
        if "uq_products_store_handle" in text:
            return DuplicateHandle("A product with this handle exists in this store.")
        return DuplicateHandle("This conflicts with an existing record.")

    async def _product_row(self, product_id: str) -> Product:
        product = await self.repo.product(product_id)
        if product is None:
            raise ResourceNotFound.of("product", product_id)
        return product

    async def product(self, product_id: str) -> ProductOut:
        product = await self._product_row(product_id)
        return (await self._render([product]))[0]

    async def products(
        self, *, status: str | None, limit: int, cursor: str | None
    ) -> PageResult[ProductOut]:
        page = await self.repo.products_page(status=status, limit=limit, cursor=cursor)
        return PageResult(items=await self._render(page.items), next_cursor=page.next_cursor)

    async def _render(self, products: list[Product]) -> list[ProductOut]:
        ids = [p.id for p in products]
        if not ids:
            return []
        variants = await self.repo.variants_of(ids)
        prices = await self.repo.prices_of([v.id for vs in variants.values() for v in vs])
        categories = await self.repo.categories_of(ids)
        images = await ImageRepository(self.session, self.store).of_products(ids)
        return [
            ProductOut(
                id=p.id,
                store_id=p.store_id,
                title=p.title,
                handle=p.handle,
                description=p.description,
                status=p.status,
                options=p.options,
                attributes=p.attributes,
                seo_title=p.seo_title,
                seo_description=p.seo_description,
                category_ids=sorted(categories.get(p.id, [])),
                variants=[_variant_out(v, prices.get(v.id, {})) for v in variants.get(p.id, [])],
                images=[image_out(i, self.store.id, self.image_urls) for i in images.get(p.id, [])],
                created_at=p.created_at,
                updated_at=p.updated_at,
            )
            for p in products
        ]

    async def update_product(self, product_id: str, data: ProductUpdate) -> ProductOut:
        product = await self._product_row(product_id)
        changes = data.model_dump(exclude_unset=True)
        category_ids = changes.pop("category_ids", None)
        if category_ids is not None:
            await self._check_categories(category_ids)
        try:
            async with self.session.begin_nested():
                for name, value in changes.items():
                    setattr(product, name, value)
                product.updated_at = func.now()
                await self.session.flush()
                if category_ids is not None:
                    await self.repo.set_categories(product.id, category_ids)
        except IntegrityError as exc:
            raise self._duplicate(exc) from None
        await self._updated(product.id, None, data.model_fields_set)
        await self.session.refresh(product)
        return await self.product(product.id)

    async def update_variant(self, variant_id: str, data: VariantUpdate) -> VariantOut:
        """One variant, without loading its siblings (a product may have thousands)."""
        variant = await self.repo.variant(variant_id)
        if variant is None:
            raise ResourceNotFound.of("variant", variant_id)
        changes = data.model_dump(exclude_unset=True)
        prices = changes.pop("prices", None)
        if prices is not None:
            self._check_currencies(prices, "prices")
        if "option_values" in changes:
            await self._check_option_values(variant, changes)
        try:
            async with self.session.begin_nested():
                for name, value in changes.items():
                    setattr(variant, name, value)
                variant.updated_at = func.now()
                await self.session.flush()
                if prices:
                    rows = self._price_rows(variant.id, prices, {})
                    await self.repo.upsert_prices(rows, keep_compare_at=True)
        except IntegrityError as exc:
            raise self._duplicate(exc) from None
        await self._updated(variant.product_id, variant.id, data.model_fields_set)
        await self.session.refresh(variant)
        current = await self.repo.prices_of([variant.id])
        return _variant_out(variant, current.get(variant.id, {}))

    async def _updated(self, product_id: str, variant_id: str | None, fields: set[str]) -> None:
        if fields:
            updated = ProductUpdated(
                store_id=self.store.id,
                product_id=product_id,
                variant_id=variant_id,
                changed=sorted(fields),
            )
            await publish(self.session, events, updated, account_id=self.store.account_id)

    async def _check_option_values(self, variant: Variant, changes: dict[str, Any]) -> None:
        """New option values fit the product's options and no sibling has them; a title
        made from the old values follows them."""
        product = await self._product_row(variant.product_id)
        names = {o["name"]: set(o["values"]) for o in product.options}
        values = changes["option_values"]
        try:
            check_option_values(names, values, "option_values")
        except ValueError as exc:
            raise UnprocessableContent(str(exc)) from None
        if names and await self.repo.sibling_with(variant, values) is not None:
            raise DuplicateHandle("Another variant of this product has these option values.")
        if "title" not in changes and variant.title == _variant_title(
            variant.option_values, product.title
        ):
            changes["title"] = _variant_title(values, product.title)

    async def create_category(self, data: CategoryCreate) -> CategoryOut:
        if data.parent_id is not None and await self.repo.category(data.parent_id) is None:
            raise UnprocessableContent(f"No category {data.parent_id} in this store.")
        category = Category(
            id=new_id("cat"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            parent_id=data.parent_id,
            name=data.name,
            handle=data.handle or await self.repo.free_handle(Category, handle_for(data.name)),
            position=data.position,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(category)
                await self.session.flush()
        except IntegrityError:
            raise DuplicateHandle("A category with this handle exists in this store.") from None
        await self.session.refresh(category)
        return CategoryOut.model_validate(category)

    async def categories(self) -> list[CategoryOut]:
        return [CategoryOut.model_validate(c) for c in await self.repo.categories()]


def _variant_out(variant: Variant, prices: dict[str, tuple[int, int | None]]) -> VariantOut:
    return VariantOut(
        id=variant.id,
        product_id=variant.product_id,
        sku=variant.sku,
        barcode=variant.barcode,
        title=variant.title,
        option_values=variant.option_values,
        weight_grams=variant.weight_grams,
        track_inventory=variant.track_inventory,
        inventory_policy=variant.inventory_policy,
        prices={c: amount for c, (amount, _) in sorted(prices.items())},
        compare_at_prices={c: cmp for c, (_, cmp) in sorted(prices.items()) if cmp is not None},
        created_at=variant.created_at,
        updated_at=variant.updated_at,
    )
