"""Wire models of product images."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ImageOrder", "ImageOut", "ImageUpdate"]


class ImageOut(BaseModel):
    id: str
    product_id: str
    variant_id: str | None
    alt: str | None
    position: int
    content_type: str
    width: int
    height: int
    size_bytes: int
    url: str = Field(description="The stored image (orientation applied, metadata removed).")
    thumbnails: dict[str, str] = Field(
        description="WebP thumbnails: longest side in pixels -> URL."
    )
    created_at: datetime


class ImageUpdate(BaseModel):
    """Change the alt text or the variant the image shows (null: the whole product)."""

    model_config = ConfigDict(extra="forbid")

    alt: str | None = Field(None, max_length=500)
    variant_id: str | None = Field(None, max_length=40)


class ImageOrder(BaseModel):
    """Every image of the product, in the order to show them."""

    model_config = ConfigDict(extra="forbid")

    image_ids: list[str] = Field(min_length=1, max_length=500)

    @field_validator("image_ids")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an image is listed twice")
        if any(len(v) > 40 for v in value):
            raise ValueError("image ids are at most 40 characters")
        return value
