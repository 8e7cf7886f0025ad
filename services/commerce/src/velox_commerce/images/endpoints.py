"""/v1/commerce/stores/{store_id}/products/{product_id}/images: product images."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile, status
from velox_shared.errors import PROBLEM_JSON
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.errors import ImageTooLarge
from velox_commerce.images.schemas import ImageOrder, ImageOut, ImageUpdate
from velox_commerce.images.service import ImageService, Upload
from velox_commerce.images.storage import ImageStorage
from velox_commerce.openapi import problems

router = APIRouter(
    prefix="/v1/commerce/stores/{store_id}/products/{product_id}/images",
    tags=["commerce: images"],
)

ProductId = Annotated[str, Path(max_length=40, description="The product's id (`prod_...`).")]
ImageId = Annotated[str, Path(max_length=40, description="The image's id (`img_...`).")]
_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"description": "Not an image of an accepted format", "content": {PROBLEM_JSON: {}}}
}


async def image_storage(request: Request) -> ImageStorage:
    """The process's image storage, opened in the lifespan."""
    storage: ImageStorage = request.app.state.commerce_images
    return storage


async def image_service(
    store: StoreDep,
    session: SessionDep,
    context: ContextDep,
    storage: Annotated[ImageStorage, Depends(image_storage)],
) -> ImageService:
    return ImageService(session, store, context.settings, storage)


Images = Annotated[ImageService, Depends(image_service)]


async def _read(file: UploadFile, limit: int) -> bytes:
    if file.size is not None and file.size > limit:
        raise ImageTooLarge(f"The file is larger than {limit:,} bytes.")
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(f"The file is larger than {limit:,} bytes.")
    return data


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a product image",
    responses={**problems(404, 409, 413, 422), **_UNSUPPORTED},
)
async def upload_image(
    product_id: ProductId,
    images: Images,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or GIF.")],
    alt: Annotated[str | None, Form(max_length=500)] = None,
    variant_id: Annotated[
        str | None, Form(max_length=40, description="A variant of the product it shows.")
    ] = None,
) -> ImageOut:
    """Checked by decoding it (the name and declared type do not count), turned upright,
    stripped of its metadata and stored with WebP thumbnails; it goes last in the order."""
    try:
        data = await _read(file, images.settings.image_max_bytes)
    finally:
        await file.close()
    return await images.upload(product_id, Upload(data, alt or None, variant_id or None))


@router.get("", summary="List a product's images", responses=problems(400, 404, 422))
async def list_images(
    product_id: ProductId, images: Images, limit: LimitParam = 50, cursor: CursorParam = None
) -> Page[ImageOut]:
    """In display order."""
    page = await images.page(product_id, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.put("/order", summary="Reorder a product's images", responses=problems(404, 422))
async def reorder_images(product_id: ProductId, data: ImageOrder, images: Images) -> list[ImageOut]:
    """Give every image id of the product once, in the order to show them."""
    return await images.reorder(product_id, data.image_ids)


@router.get("/{image_id}", summary="Get a product image", responses=problems(404, 422))
async def get_image(product_id: ProductId, image_id: ImageId, images: Images) -> ImageOut:
    """One image with the URLs of its file and thumbnails."""
    return await images.get(product_id, image_id)


@router.patch("/{image_id}", summary="Update a product image", responses=problems(404, 422))
async def update_image(
    product_id: ProductId, image_id: ImageId, data: ImageUpdate, images: Images
) -> ImageOut:
    """Set or clear the alt text and the variant the image shows."""
    return await images.update(product_id, image_id, data)


@router.delete(
    "/{image_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a product image",
    responses=problems(404, 422),
)
async def delete_image(product_id: ProductId, image_id: ImageId, images: Images) -> None:
    """The image and its stored files."""
    await images.delete(product_id, image_id)


@router.get(
    "/{image_id}/files/{which}",
    summary="Download an image file",
    response_class=Response,
    responses={
        200: {"content": {"image/*": {}}, "description": "The file's bytes."},
        **problems(404, 422),
    },
)
async def image_file(
    product_id: ProductId,
    image_id: ImageId,
    which: Annotated[
        str,
        Path(pattern=r"^(original|[0-9]{1,4})$", description="`original` or a thumbnail size."),
    ],
    images: Images,
) -> Response:
    """The stored image or one of its thumbnails (when no public base URL serves them)."""
    data, content_type = await images.file(product_id, image_id, which)
    headers: dict[str, Any] = {"Cache-Control": "private, max-age=86400"}
    return Response(data, media_type=content_type, headers=headers)
