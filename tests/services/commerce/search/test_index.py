"""The search documents follow the catalogue: the database's triggers rebuild a product's
document when it, its variants, prices, stock, categories or reviews change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services.commerce.conftest import Shop
from tests.services.commerce.factory import ok
from tests.services.commerce.search.catalogue import add_product, build, ids, stock
from tests.services.commerce.search.test_search import search


async def test_product_and_variant_changes_are_searchable_at_once(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    trail = cat.products["trail"]
    new = await add_product(
        cat, client, "cap", "Sun cap", "Apparel", {"color": "white"}, [("one", 900, 0)]
    )
    assert ids(await search(client, cat, q="cap")) == [new]
    patch = {"title": "Blue mountain boot", "category_ids": [cat.categories["Apparel"]]}
    ok(await client.patch(cat.path(f"/products/{trail}"), json=patch))
    assert ids(await search(client, cat, q="mountain boot")) == [trail]
    assert (await search(client, cat, q="trail shoe", facets="false"))["match"] == "fuzzy"
    apparel = await search(client, cat, category=cat.categories["Apparel"], facets="false")
    assert trail in ids(apparel)
    # a price change shows in the card, the price filter and the price sort
    variant = cat.variants["socks"][0]
    ok(await client.patch(cat.path(f"/variants/{variant}"), json={"prices": {"USD": 99000}}))
    dear = await search(client, cat, min_price=50000)
    assert ids(dear) == [cat.products["socks"]]
    assert dear["items"][0]["prices"]["USD"] == {"min": 99000, "max": 99000}
    # archived products leave the results
    ok(await client.patch(cat.path(f"/products/{new}"), json={"status": "archived"}))
    assert (await search(client, cat, q="cap"))["total"] == 0


async def test_stock_going_to_zero_and_back_moves_a_product_between_availability_counts(
    shop: Shop, unique: str
) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    socks = cat.variants["socks"][0]
    await stock(client, cat, socks, -4)  # 10 -> 6: still in stock
    assert (await search(client, cat))["facets"]["availability"] == {
        "in_stock": 3,
        "out_of_stock": 1,
    }
    await stock(client, cat, socks, -6)  # -> 0
    answer = await search(client, cat, q="socks")
    assert answer["items"][0]["in_stock"] is False
    assert answer["facets"]["availability"] == {"in_stock": 0, "out_of_stock": 1}
    assert cat.products["socks"] in ids(await search(client, cat, in_stock="false"))
    await stock(client, cat, socks, 1)
    assert (await search(client, cat, q="socks"))["items"][0]["in_stock"] is True
    # selling past zero makes a variant available without stock
    trail = cat.variants["trail"][0]
    patch = {"inventory_policy": "backorder"}
    ok(await client.patch(cat.path(f"/variants/{trail}"), json=patch))
    assert (await search(client, cat, in_stock="false"))["total"] == 0


async def test_category_moves_reviews_and_scheduled_sales_reach_the_documents(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    sneakers, socks = cat.products["sneakers"], cat.products["socks"]
    async with commerce_db.begin() as conn:
        # Running moves from Shoes to Apparel
        await conn.execute(
            text("UPDATE commerce.categories SET parent_id = :p WHERE id = :c"),
            {"p": cat.categories["Apparel"], "c": cat.categories["Running"]},
        )
        for n, (product, rating) in enumerate(((socks, 5), (socks, 4), (sneakers, 3))):
            await conn.execute(_REVIEW, _review(cat.store, unique, n, product, rating))
        # a sale that started and ends in an hour; a sale that ended a second ago
        await conn.execute(
            text(
                "UPDATE commerce.variant_prices SET sale_amount = amount / 2,"
                " sale_starts_at = now() - interval '1 day', sale_ends_at = now() + :ends"
                " WHERE variant_id = ANY(:v) AND currency = 'USD'"
            ),
            {"v": cat.variants["jacket"], "ends": timedelta(hours=1)},
        )
    apparel = await search(client, cat, category=cat.categories["Apparel"], facets="false")
    assert sneakers in ids(apparel)
    shoes = await search(client, cat, category=cat.categories["Shoes"], facets="false")
    assert ids(shoes) == [cat.products["trail"]]
    rated = await search(client, cat, sort="rating", facets="false")
    assert ids(rated)[:2] == [socks, sneakers]
    assert rated["items"][0]["rating"] == {"average": 4.5, "count": 2}
    jacket = (await search(client, cat, q="jacket"))["items"][0]
    assert jacket["prices"]["USD"] == {"min": 6000, "max": 6000}
    # stored prices past their validity (a sale ended since indexing) are answered live
    async with commerce_db.begin() as conn:
        await conn.execute(
            text(
                "UPDATE commerce.product_search SET prices = '{\"USD\": [1, 1]}',"
                " prices_valid_until = now() - interval '1 second' WHERE product_id = :p"
            ),
            {"p": cat.products["trail"]},
        )
    over = await search(client, cat, q="trail", min_price=8000)
    assert over["items"][0]["prices"]["USD"] == {"min": 8000, "max": 8000}
    async with commerce_db.connect() as conn:
        stored = await conn.scalar(
            text("SELECT prices -> 'USD' FROM commerce.product_search WHERE product_id = :p"),
            {"p": cat.products["trail"]},
        )
    assert stored == [8000, 8000]  # re-indexed by the search that met it


async def test_two_transactions_changing_one_product_do_not_wait_on_each_other(
    shop: Shop, unique: str, commerce_db: AsyncEngine
) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    first, second = cat.variants["sneakers"]
    update = text("UPDATE commerce.variants SET weight_grams = weight_grams + 1 WHERE id = :v")
    async with commerce_db.connect() as a, commerce_db.connect() as b:
        await a.execute(update, {"v": first})  # queued, not committed
        await b.execute(text("SET LOCAL lock_timeout = '2s'"))
        await b.execute(update, {"v": second})
        await b.commit()
        await a.commit()
    answer = await search(client, cat, q="sneakers")
    assert answer["total"] == 1
    async with commerce_db.connect() as conn:
        left = await conn.scalar(text("SELECT count(*) FROM commerce.search_dirty"))
    assert left == 0


_REVIEW = text(
    "INSERT INTO commerce.reviews (id, account_id, store_id, product_id, reviewer, order_id,"
    " author_name, rating, status) SELECT :id, s.account_id, s.id, :product, :reviewer,"
    " 'ord_x', 'Ann', :rating, 'approved' FROM commerce.stores s WHERE s.id = :store"
)


def _review(store: str, unique: str, n: int, product: str, rating: int) -> dict[str, Any]:
    return {
        "id": f"rev_{unique}_{n}",
        "product": product,
        "reviewer": f"email:{n}@example.com",
        "rating": rating,
        "store": store,
    }


async def test_the_fallback_for_servers_without_pg_trgm_matches_typos_word_by_word(
    commerce_db: AsyncEngine,
) -> None:
    """``commerce.trigram_share`` (the typo match where pg_trgm is missing): pg_trgm's
    trigrams, per query word the best word of the text, averaged over the query."""
    async with commerce_db.connect() as conn:

        async def share(q: str, t: str) -> float:
            found = await conn.scalar(
                text("SELECT commerce.trigram_share(:q, :t)"), {"q": q, "t": t}
            )
            return float(found)

        trigrams = await conn.scalar(text("SELECT commerce.trigrams('Mug!')"))
        assert sorted(trigrams) == ["  m", " mu", "mug", "ug "]
        assert await share("sneekers", "Red running sneakers") >= 0.4
        assert await share("rain jakcet", "Rain jacket, waterproof") >= 0.4
        assert await share("the", "Blue trail shoe leather") < 0.4  # no word holds it
        assert await share("%&*!", "anything") == 0.0
        has_trgm = await conn.scalar(
            text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        )
        if has_trgm:  # the same trigrams as pg_trgm's
            shown = await conn.scalar(text("SELECT public.show_trgm('Mug!')"))
            assert sorted(shown) == sorted(trigrams)


async def test_a_bundle_is_in_stock_while_its_components_make_one(shop: Shop, unique: str) -> None:
    client = shop.client(shop.account("owner", unique))
    cat = await build(client)
    kit = await add_product(cat, client, "kit", "Gift kit", "Apparel", {}, [("one", 6000, 0)])
    socks, jacket = cat.variants["socks"][0], cat.variants["jacket"][0]  # 10 and 3 units
    body = {
        "components": [
            {"variant_id": socks, "quantity": 2},
            {"variant_id": jacket, "quantity": 1},
        ]
    }
    ok(await client.put(cat.path(f"/variants/{cat.variants['kit'][0]}/bundle"), json=body))
    assert kit in ids(await search(client, cat, in_stock="true"))
    await stock(client, cat, socks, -9)  # 1 pair left: not enough for one kit
    assert kit in ids(await search(client, cat, in_stock="false"))
    await stock(client, cat, socks, 1)  # 2: one kit again
    assert kit in ids(await search(client, cat, in_stock="true"))
    await stock(client, cat, jacket, -3)
    assert kit not in ids(await search(client, cat, in_stock="true"))
