"""Product images: upload (checked, cleaned and resized off the event loop), list,
reorder, alt text and variant, delete (the stored files go too)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.ids import new_id
from velox_shared.pagination import PageResult

from velox_commerce.config import Settings
from velox_commerce.db.aftersales import ProductImage
from velox_commerce.db.catalog import Product, Store
from velox_commerce.errors import ResourceNotFound, StateConflict
from velox_commerce.images.processing import Processed, process
from velox_commerce.images.repository import ImageRepository
from velox_commerce.images.schemas import ImageOut, ImageUpdate
from velox_commerce.images.storage import ImageStorage
from velox_commerce.images.urls import ImageUrls, image_out

__all__ = ["ImageService", "Upload"]

log = logging.getLogger(__name__)


class Upload:
    """What the client sent with the file."""

    __slots__ = ("alt", "data", "variant_id")

    def __init__(self, data: bytes, alt: str | None, variant_id: str | None) -> None:
        self.data = data
        self.alt = alt
        self.variant_id = variant_id


class ImageService:
    def __init__(
        self, session: AsyncSession, store: Store, settings: Settings, storage: ImageStorage
    ) -> None:
        self.session = session
        self.store = store
        self.settings = settings
        self.storage = storage
        self.urls = ImageUrls(settings.image_public_base_url)
        self.repo = ImageRepository(session, store)

    def out(self, image: ProductImage) -> ImageOut:
        return image_out(image, self.store.id, self.urls)

    async def _product(self, product_id: str, *, lock: bool = False) -> Product:
        product = await self.repo.product(product_id, lock=lock)
        if product is None:
            raise ResourceNotFound.of("product", product_id)
        return product

    async def _image(self, product_id: str, image_id: str) -> ProductImage:
        image = await self.repo.get(product_id, image_id)
        if image is None:
            raise ResourceNotFound.of("image", image_id)
        return image

    async def _check_variant(self, product_id: str, variant_id: str | None) -> None:
        if variant_id is not None and not await self.repo.variant_of(product_id, variant_id):
            raise UnprocessableContent(f"Product {product_id} has no variant {variant_id!r}.")

    async def upload(self, product_id: str, upload: Upload) -> ImageOut:
        """Store the image and its thumbnails, then its row (the files go again when the
        row cannot be written)."""
        await self._product(product_id)
        await self._check_variant(product_id, upload.variant_id)
        processed = await asyncio.to_thread(
            process,
            upload.data,
            max_pixels=self.settings.image_max_pixels,
            sizes=self.settings.image_thumbnail_sizes,
        )
        image_id = new_id("img")
        keys = await self._store(image_id, processed)
        try:
            await self._product(product_id, lock=True)
            count, last = await self.repo.count_and_last(product_id)
            if count >= self.settings.image_max_per_product:
                raise StateConflict(
                    f"A product holds at most {self.settings.image_max_per_product} images."
                )
            image = await self.repo.add(
                ProductImage(
                    id=image_id,
                    account_id=self.store.account_id,
                    product_id=product_id,
                    variant_id=upload.variant_id,
                    storage_key=keys["original"],
                    content_type=processed.content_type,
                    width=processed.width,
                    height=processed.height,
                    size_bytes=len(processed.data),
                    alt=upload.alt,
                    position=last + 1,
                    thumbnails={k: v for k, v in keys.items() if k != "original"},
                )
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await self.storage.delete(list(keys.values()))
            raise
        return self.out(image)

    async def _store(self, image_id: str, processed: Processed) -> dict[str, str]:
        folder = f"{self.store.id}/{image_id}"
        files = {"original": (f"{folder}/original.{processed.extension}", processed.data)}
        content_types = {"original": processed.content_type}
        for size, data in processed.thumbnails.items():
            files[str(size)] = (f"{folder}/{size}.webp", data)
            content_types[str(size)] = "image/webp"
        try:
            async with asyncio.TaskGroup() as group:
                for name, (key, data) in files.items():
                    group.create_task(self.storage.put(key, data, content_types[name]))
        except BaseException:
            with contextlib.suppress(Exception):
                await self.storage.delete([key for key, _ in files.values()])
            raise
        return {name: key for name, (key, _) in files.items()}

    async def page(
        self, product_id: str, *, limit: int, cursor: str | None
    ) -> PageResult[ImageOut]:
        await self._product(product_id)
        page = await self.repo.page(product_id, limit=limit, cursor=cursor)
        return PageResult(items=[self.out(i) for i in page.items], next_cursor=page.next_cursor)

    async def get(self, product_id: str, image_id: str) -> ImageOut:
        return self.out(await self._image(product_id, image_id))

    async def update(self, product_id: str, image_id: str, data: ImageUpdate) -> ImageOut:
        image = await self._image(product_id, image_id)
        changes = data.model_dump(exclude_unset=True)
        if "variant_id" in changes:
            await self._check_variant(product_id, changes["variant_id"])
        for name, value in changes.items():
            setattr(image, name, value)
        await self.session.flush()
        return self.out(image)

    async def reorder(self, product_id: str, image_ids: list[str]) -> list[ImageOut]:
        """Positions follow ``image_ids``, which must name every image of the product."""
        await self._product(product_id, lock=True)
        existing = set(await self.repo.ids(product_id))
        if set(image_ids) != existing:
            missing = sorted(existing - set(image_ids))
            unknown = sorted(set(image_ids) - existing)
            raise UnprocessableContent(
                "List every image of the product exactly once.",
                extensions={"missing": missing, "unknown": unknown},
            )
        await self.repo.set_positions(product_id, image_ids)
        page = await self.repo.page(product_id, limit=len(image_ids), cursor=None)
        return [self.out(i) for i in page.items]

    async def delete(self, product_id: str, image_id: str) -> None:
        """Delete the row, commit, then the files: a failed commit leaves the image whole;
        a failed file removal leaves only unreachable files (logged)."""
        image = await self._image(product_id, image_id)
        keys = [image.storage_key, *image.thumbnails.values()]
        await self.repo.delete(image)
        await self.session.commit()
        try:
            await self.storage.delete(keys)
        except Exception:
            log.exception("image files left behind", extra={"keys": keys})

    async def file(self, product_id: str, image_id: str, which: str) -> tuple[bytes, str]:
        """The bytes and content type of the original or of a thumbnail."""
        image = await self._image(product_id, image_id)
        if which == "original":
            key, content_type = image.storage_key, image.content_type
        elif which in image.thumbnails:
            key, content_type = image.thumbnails[which], "image/webp"
        else:
            sizes = ", ".join(sorted(image.thumbnails, key=int))
            raise ResourceNotFound(
                f"No file {which!r} of image {image_id}: original or one of {sizes}.",
                extensions={"resource": "image file"},
            )
        data = await self.storage.get(key)
        if data is None:
            raise ResourceNotFound.of("image file", f"{image_id}/{which}")
        return data, content_type
