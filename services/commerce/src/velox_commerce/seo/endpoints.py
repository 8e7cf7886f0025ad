"""/v1/commerce/stores/{store_id}/sitemap.xml: the storefront's sitemap (sitemaps.org 0.9).

The storefront is hosted elsewhere, so its address comes with the request
(``base_url``); the sitemap lists the active products (``/products/{handle}``) and the
categories (``/categories/{handle}``) with their last change. Up to 50,000 URLs, the
protocol's limit per file; ``page`` gives the next 50,000.
"""

from __future__ import annotations

from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Response
from pydantic import AnyHttpUrl
from sqlalchemy import select

from velox_commerce.db.catalog import Category, Product
from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems

router = APIRouter(prefix="/v1/commerce/stores/{store_id}", tags=["commerce: catalogue"])

MAX_URLS = 50_000


@router.get(
    "/sitemap.xml",
    summary="Sitemap of the storefront",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, **problems(404, 422)},
)
async def sitemap(
    store: StoreDep,
    session: SessionDep,
    base_url: Annotated[
        AnyHttpUrl, Query(description="The storefront's address, e.g. https://shop.example")
    ],
    page: Annotated[int, Query(ge=1, le=100)] = 1,
) -> Response:
    """The storefront's product and category pages with their last modification, as a
    sitemaps.org XML document search engines read."""
    base = str(base_url).rstrip("/")
    products = await session.execute(
        select(Product.handle, Product.updated_at)
        .where(
            Product.account_id == store.account_id,
            Product.store_id == store.id,
            Product.status == "active",
        )
        .order_by(Product.created_at, Product.id)
        .offset((page - 1) * MAX_URLS)
        .limit(MAX_URLS)
    )
    entries = [(f"{base}/products/{handle}", changed) for handle, changed in products]
    if page == 1:
        categories = await session.execute(
            select(Category.handle, Category.created_at)
            .where(Category.account_id == store.account_id, Category.store_id == store.id)
            .order_by(Category.position, Category.id)
        )
        entries += [(f"{base}/categories/{handle}", at) for handle, at in categories]
    urls = "".join(
        f"<url><loc>{escape(loc)}</loc><lastmod>{changed.date().isoformat()}</lastmod></url>"
        for loc, changed in entries[:MAX_URLS]
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    return Response(body, media_type="application/xml")
