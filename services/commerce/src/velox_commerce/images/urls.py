"""Where clients fetch image files from: the public base URL when one is configured (a
CDN, a public bucket, a static server over the directory), else the service itself."""

from __future__ import annotations

from dataclasses import dataclass

from velox_commerce.db.aftersales import ProductImage
from velox_commerce.images.schemas import ImageOut

__all__ = ["ImageUrls", "image_out"]


@dataclass(frozen=True, slots=True)
class ImageUrls:
    public_base_url: str | None = None

    def url(self, store_id: str, image: ProductImage, which: str) -> str:
        """``which``: ``original`` or a thumbnail size."""
        key = image.storage_key if which == "original" else image.thumbnails[which]
        if self.public_base_url:
            return f"{self.public_base_url.rstrip('/')}/{key}"
        return (
            f"/v1/commerce/stores/{store_id}/products/{image.product_id}"
            f"/images/{image.id}/files/{which}"
        )


def image_out(image: ProductImage, store_id: str, urls: ImageUrls) -> ImageOut:
    sizes = sorted(image.thumbnails, key=int)
    return ImageOut(
        id=image.id,
        product_id=image.product_id,
        variant_id=image.variant_id,
        alt=image.alt,
        position=image.position,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size_bytes=image.size_bytes,
        url=urls.url(store_id, image, "original"),
        thumbnails={size: urls.url(store_id, image, size) for size in sizes},
        created_at=image.created_at,
    )
