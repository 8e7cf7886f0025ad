"""/v1/commerce/stores/{store_id}/products, /variants and /categories."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from velox_shared.auth import CurrentIdentity
from velox_shared.pagination import CursorParam, LimitParam, Page

from velox_commerce.catalog.schemas import (
    CategoryCreate,
    CategoryOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    VariantOut,
    VariantUpdate,
)
from velox_commerce.catalog.service import CatalogService
from velox_commerce.deps import ContextDep, SessionDep, StoreDep
from velox_commerce.images.urls import ImageUrls
from velox_commerce.limits import PRODUCTS
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: catalogue"])


async def catalog_service(
    store: StoreDep, session: SessionDep, context: ContextDep
) -> CatalogService:
    """The catalogue of the path's store (image URLs on the public base URL when set)."""
    return CatalogService(session, store, ImageUrls(context.settings.image_public_base_url))


CatalogDep = Annotated[CatalogService, Depends(catalog_service)]


@router.post(
    "/products",
    status_code=status.HTTP_201_CREATED,
    summary="Create a product with its variants",
    responses=problems(403, 404, 409, 422),
)
async def create_product(
    data: ProductCreate, catalog: CatalogDep, identity: CurrentIdentity
) -> ProductOut:
    """A product, its options and its variants (SKU, barcode, weight, stock policy, a price
    per currency) in one call, all or nothing. SKUs are unique in the store; the plan caps
    the account's products (403 ``plan-limit-reached``)."""
    return await catalog.create_product(data, cap=identity.limit(PRODUCTS))


@router.get("/products", summary="List products", responses=problems(404))
async def list_products(
    catalog: CatalogDep,
    status_filter: Annotated[
        Literal["draft", "active", "archived"] | None, Query(alias="status")
    ] = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> Page[ProductOut]:
    """The store's products with their variants and prices, newest first."""
    page = await catalog.products(status=status_filter, limit=limit, cursor=cursor)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/products/{product_id}", summary="Get a product", responses=problems(404))
async def get_product(product_id: str, catalog: CatalogDep) -> ProductOut:
    """The product with its variants, prices and images."""
    return await catalog.product(product_id)


@router.patch(
    "/products/{product_id}", summary="Update a product", responses=problems(404, 409, 422)
)
async def update_product(product_id: str, data: ProductUpdate, catalog: CatalogDep) -> ProductOut:
    """Change text, status, attributes, SEO fields or categories (variants have their own
    endpoint)."""
    return await catalog.update_product(product_id, data)


@router.patch(
    "/variants/{variant_id}", summary="Update a variant", responses=problems(404, 409, 422)
)
async def update_variant(variant_id: str, data: VariantUpdate, catalog: CatalogDep) -> VariantOut:
    """Change one variant (SKU, barcode, weight, stock policy) and its prices, without
    touching the product's other variants."""
    return await catalog.update_variant(variant_id, data)


@router.post(
    "/categories",
    status_code=status.HTTP_201_CREATED,
    summary="Create a category",
    responses=problems(404, 409, 422),
)
async def create_category(data: CategoryCreate, catalog: CatalogDep) -> CategoryOut:
    """A category, at the top or under ``parent_id`` (subcategories nest to any depth)."""
    return await catalog.create_category(data)


@router.get("/categories", summary="List the category tree", responses=problems(404))
async def list_categories(catalog: CatalogDep) -> list[CategoryOut]:
    """Every category of the store, parents before children, by position."""
    return await catalog.categories()
