"""The storefront's sitemap lists active products and categories, per store."""

from __future__ import annotations

from xml.etree import ElementTree

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok, seed

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


async def test_the_sitemap_lists_active_products_and_categories(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("seo", unique))
    seeded = await seed(client)
    ok(await client.post(seeded.path("/categories"), json={"name": "Running & Trail"}), 201)
    ok(
        await client.post(
            seeded.path("/products"),
            json={"title": "Draft thing", "status": "draft", "variants": [{"sku": "D-1"}]},
        ),
        201,
    )
    answer = await client.get(
        seeded.path("/sitemap.xml"), params={"base_url": "https://shop.example/"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    locs = [e.text for e in root.findall("s:url/s:loc", NS)]
    assert locs == [
        "https://shop.example/products/trail-shoe",
        "https://shop.example/categories/running-trail",
    ]
    assert all(e.text for e in root.findall("s:url/s:lastmod", NS))


async def test_the_sitemap_needs_a_base_url_and_stays_in_its_account(
    shop: Shop, unique: str
) -> None:
    owner = shop.client(shop.account("seo-a", unique))
    other = shop.client(shop.account("seo-b", unique))
    seeded = await seed(owner)
    missing = await owner.get(seeded.path("/sitemap.xml"))
    assert missing.status_code == 422
    bad = await owner.get(seeded.path("/sitemap.xml"), params={"base_url": "not a url"})
    assert bad.status_code == 422
    foreign = await other.get(
        seeded.path("/sitemap.xml"), params={"base_url": "https://shop.example"}
    )
    assert foreign.status_code == 404
