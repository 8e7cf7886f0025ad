"""Image rows of one store's products. Image rows carry the account and the product; the
store is the product's, so every query joins the product and filters by both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.pagination import InvalidCursor, PageResult, decode_cursor, encode_cursor

from velox_commerce.db.aftersales import ProductImage
from velox_commerce.db.catalog import Product, Store, Variant

__all__ = ["ImageRepository"]


class ImageRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    def _images(self, product_id: str) -> Select[Any]:
        return (
            select(ProductImage)
            .join(Product, Product.id == ProductImage.product_id)
            .where(
                ProductImage.account_id == self.account_id,
                ProductImage.product_id == product_id,
                Product.account_id == self.account_id,
                Product.store_id == self.store_id,
            )
        )

    async def product(self, product_id: str, *, lock: bool = False) -> Product | None:
        query = select(Product).where(
            Product.id == product_id,
            Product.account_id == self.account_id,
            Product.store_id == self.store_id,
        )
        if lock:  # serialises position and count changes of one product's images
            query = query.with_for_update()
        product: Product | None = await self.session.scalar(query)
        return product

    async def variant_of(self, product_id: str, variant_id: str) -> bool:
        found = await self.session.scalar(
            select(Variant.id).where(
                Variant.id == variant_id,
                Variant.product_id == product_id,
                Variant.account_id == self.account_id,
                Variant.store_id == self.store_id,
            )
        )
        return found is not None

    async def count_and_last(self, product_id: str) -> tuple[int, int]:
        """How many images the product has, and the last position (-1 when none)."""
        row = (
            await self.session.execute(
                select(func.count(), func.coalesce(func.max(ProductImage.position), -1)).where(
                    ProductImage.account_id == self.account_id,
                    ProductImage.product_id == product_id,
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def get(self, product_id: str, image_id: str) -> ProductImage | None:
        image: ProductImage | None = await self.session.scalar(
            self._images(product_id).where(ProductImage.id == image_id)
        )
        return image

    async def ids(self, product_id: str) -> list[str]:
        rows = await self.session.scalars(
            select(ProductImage.id).where(
                ProductImage.account_id == self.account_id,
                ProductImage.product_id == product_id,
            )
        )
        return list(rows)

    async def page(
        self, product_id: str, *, limit: int, cursor: str | None
    ) -> PageResult[ProductImage]:
        """In display order (position, then id)."""
        query = self._images(product_id)
        if cursor:
            values = decode_cursor(cursor)
            try:
                position, last = int(values["p"]), str(values["k"])
            except (KeyError, TypeError, ValueError):
                raise InvalidCursor("The cursor is malformed; start again without one.") from None
            query = query.where(
                or_(
                    ProductImage.position > position,
                    and_(ProductImage.position == position, ProductImage.id > last),
                )
            )
        rows = list(
            await self.session.scalars(
                query.order_by(ProductImage.position, ProductImage.id)
                .limit(limit + 1)
                .execution_options(populate_existing=True)
            )
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = (
            encode_cursor({"p": rows[-1].position, "k": rows[-1].id}) if more and rows else None
        )
        return PageResult(items=rows, next_cursor=next_cursor)

    async def of_products(self, product_ids: Sequence[str]) -> dict[str, list[ProductImage]]:
        rows = await self.session.scalars(
            select(ProductImage)
            .where(
                ProductImage.account_id == self.account_id,
                ProductImage.product_id.in_(product_ids),
            )
            .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
        )
        found: dict[str, list[ProductImage]] = {}
        for row in rows:
            found.setdefault(row.product_id, []).append(row)
        return found

    async def add(self, image: ProductImage) -> ProductImage:
        self.session.add(image)
        await self.session.flush()
        await self.session.refresh(image)
        return image

    async def set_positions(self, product_id: str, image_ids: Sequence[str]) -> None:
        cases: dict[Any, int] = {image_id: index for index, image_id in enumerate(image_ids)}
        await self.session.execute(
            update(ProductImage)
            .where(
                ProductImage.account_id == self.account_id,
                ProductImage.product_id == product_id,
                ProductImage.id.in_(list(cases)),
            )
            .values(position=case(cases, value=ProductImage.id))
            .execution_options(synchronize_session=False)
        )

    async def delete(self, image: ProductImage) -> None:
        await self.session.delete(image)
        await self.session.flush()
