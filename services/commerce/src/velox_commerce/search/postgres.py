"""The PostgreSQL search engine: full text first, trigram similarity when the words match
nothing, and hits, total and facets in one statement over ``commerce.product_search``.

Relevance is ``ts_rank`` over the document with weights title 1.0, SKUs and attribute
values 0.4, description 0.2 (``english`` stemming, ``simple`` for codes such as SKUs). A
query whose words match nothing is run again with ``word_similarity`` of the query to the
title and attribute values (pg_trgm, threshold 0.4), which finds ``sneakers`` for
``sneekers``; the answer says which happened (``match``). On a server without pg_trgm (the
embedded one) the fallback is ``commerce.trigram_share``: per query word the best share
of its trigrams in one word of the text, averaged; unindexed (migration 0004).

Facets are counted over the matches in the same statement: categories and availability
and the price range with every other filter, and each attribute's values with every filter
but that attribute's own (so choosing ``red`` keeps ``blue`` selectable). Without facets
(category pages) the statement is lean: newest first walks the store's created index and
stops when the page is full beside a count; other sorts keep only ids and sort keys of the
matches and read the page's rows again.

Every statement is planned for its values (``plan_cache_mode``): a generic plan of a
prepared statement cannot tell a rare word or category from a common one.
"""

# ruff: noqa: S608 -- statements are put together from this module's own SQL constants; every
# value from a query is a bound parameter.
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.db.discovery import FACET_SEPARATOR
from velox_commerce.search.engine import SearchQuery, SearchResult
from velox_commerce.search.schemas import (
    AttributeFacet,
    AvailabilityFacet,
    CategoryFacet,
    Facets,
    Match,
    PriceRange,
    PriceStats,
    Rating,
    SearchHit,
    ValueCount,
)

__all__ = ["FUZZY_THRESHOLD", "PostgresSearch", "card_prices"]

FUZZY_THRESHOLD = 0.4
FACET_VALUES = 20  # values per attribute
FACET_NAMES = 30  # attributes, those with the most matches first

TSQUERY = "(websearch_to_tsquery('english', :q) || websearch_to_tsquery('simple', :q))"
# Stored prices, or live ones once a scheduled sale has started or ended since indexing.
PRICES = (
    "CASE WHEN s.prices_valid_until <= now() THEN commerce.product_prices_now(s.product_id)"
    " ELSE s.prices END"
)
# The price the filter and sorts use: the ``from`` price in the query's currency.
PRICE = f"(({PRICES}) -> :currency ->> 0)::bigint"
ORDERS = {
    "relevance": "score DESC NULLS LAST, created_at DESC, product_id DESC",
    "price_asc": "price ASC NULLS LAST, product_id",
    "price_desc": "price DESC NULLS LAST, product_id",
    "newest": "created_at DESC, product_id DESC",
    "rating": "rating_avg DESC NULLS LAST, rating_count DESC, product_id",
}
HIT = (
    "jsonb_build_object('id', product_id, 'title', title, 'handle', handle, 'in_stock',"
    " in_stock, 'rating_avg', rating_avg, 'rating_count', rating_count, 'prices', prices,"
    " 'created_at', created_at, 'score', score)"
)


class _Statement:
    """The search statement for one query and one way of matching its text."""

    def __init__(self, query: SearchQuery, match: Match, *, trgm: bool = True) -> None:
        self.query = query
        self.params: dict[str, Any] = {
            "account": query.account_id,
            "store": query.store_id,
            "currency": query.currency,
            "limit": query.limit,
            "offset": query.offset,
        }
        self.base: list[str] = []  # conditions that shape the facets' universe
        self.score = "NULL::real"
        if match == "fulltext":
            self.params["q"] = query.text
            self.base.append(f"s.document @@ {TSQUERY}")
            self.score = f"ts_rank('{{0.1, 0.2, 0.4, 1.0}}', s.document, {TSQUERY}, 1)"
        elif match == "fuzzy" and trgm:
            self.params["q"] = query.text
            self.base.append("s.search_text OPERATOR(public.%>) :q")
            self.score = "public.word_similarity(:q, s.search_text)"
        elif match == "fuzzy":
            self.params |= {"q": query.text, "threshold": FUZZY_THRESHOLD}
            self.base.append("commerce.trigram_share(:q, s.search_text) >= :threshold")
            self.score = "commerce.trigram_share(:q, s.search_text)"
        if query.categories:
            self.params["categories"] = list(query.categories)
            self.base.append("s.category_ids && CAST(:categories AS text[])")

    def _price_ok(self, price: str = "price") -> str:
        parts = []
        if self.query.min_price is not None:
            self.params["min_price"] = self.query.min_price
            parts.append(f"{price} >= :min_price")
        if self.query.max_price is not None:
            self.params["max_price"] = self.query.max_price
            parts.append(f"{price} <= :max_price")
        return f"coalesce({' AND '.join(parts)}, false)" if parts else "true"

    def _stock_ok(self, row: str = "") -> str:
        if self.query.in_stock is None:
            return "true"
        return f"{'' if self.query.in_stock else 'NOT '}{row}in_stock"

    def _attribute_tests(self, row: str = "") -> list[tuple[str, str]]:
        """(bound name, SQL test) per attribute filter; ``row`` qualifies the column."""
        tests = []
        for index, (name, values) in enumerate(self.query.attributes):
            self.params[f"attr{index}"] = [f"{name}{FACET_SEPARATOR}{v}" for v in values]
            self.params[f"attr_name{index}"] = name
            tests.append((f":attr_name{index}", f"({row}facets && CAST(:attr{index} AS text[]))"))
        return tests

    def _where(self, extra: list[str]) -> str:
        return " AND ".join(
            [
                "s.account_id = :account",
                "s.store_id = :store",
                "s.status = 'active'",
                *self.base,
                *extra,
            ]
        )

    def _rows(self, extra: list[str]) -> str:
        return (
            "SELECT s.product_id, s.title, s.handle, s.created_at, s.in_stock, s.rating_avg,"
            " s.rating_count, s.category_ids, s.facets,"
            f" coalesce(s.prices_valid_until <= now(), false) AS stale, {PRICES} AS prices,"
            f" {self.score} AS score FROM commerce.product_search s"
            f" WHERE {self._where(extra)}"
        )

    def _priced(self, rows: str) -> str:
        return f"SELECT r.*, (r.prices -> :currency ->> 0)::bigint AS price FROM ({rows}) r"

    def _page(self) -> str:
        order = ORDERS[self.query.sort]
        return (
            f"(SELECT coalesce(jsonb_agg({HIT} ORDER BY n), '[]') FROM (SELECT *,"
            f" row_number() OVER (ORDER BY {order}) AS n FROM hits ORDER BY {order}"
            " LIMIT :limit OFFSET :offset) page) AS items"
        )

    def listing(self) -> str:
        """Hits and total only, every filter in the WHERE clause where indexes serve it."""
        tests = [test for _, test in self._attribute_tests("s.")]
        where = self._where([*tests, self._stock_ok("s."), self._price_ok(PRICE)])
        if self.score == "NULL::real" and self.query.sort in ("newest", "relevance"):
            return self._newest(where)
        return self._sorted(where, ORDERS[self.query.sort])

    def _newest(self, where: str) -> str:
        """The page walks the store's created index newest first and stops when full; the
        count reads only the columns it filters on."""
        order = ORDERS["newest"]
        page = (
            "SELECT s.product_id, s.title, s.handle, s.created_at, s.in_stock, s.rating_avg,"
            f" s.rating_count, {PRICES} AS prices, NULL::real AS score,"
            f" row_number() OVER (ORDER BY {order}) AS n"
            f" FROM commerce.product_search s WHERE {where}"
            f" ORDER BY {order} LIMIT :limit OFFSET :offset"
        )
        return (
            f"SELECT c.total, c.stale, (SELECT coalesce(jsonb_agg({HIT} ORDER BY n), '[]')"
            f" FROM ({page}) page) AS items FROM (SELECT count(*) AS total,"
            " count(*) FILTER (WHERE s.prices_valid_until <= now()) AS stale"
            f" FROM commerce.product_search s WHERE {where}) c"
        )

    def _sorted(self, where: str, order: str) -> str:
        """The matches are kept narrow (id and sort keys) to count and sort them in one
        read; only the page's rows are read again for their cards."""
        return (
            "WITH m AS MATERIALIZED (SELECT s.product_id, s.created_at, s.rating_avg,"
            f" s.rating_count, {PRICE} AS price, {self.score} AS score,"
            " s.prices_valid_until <= now() AS stale"
            f" FROM commerce.product_search s WHERE {where})"
            " SELECT (SELECT count(*) FROM m) AS total,"
            " (SELECT count(*) FROM m WHERE stale) AS stale,"
            f" (SELECT coalesce(jsonb_agg({HIT} ORDER BY n), '[]') FROM (SELECT s.product_id,"
            " s.title, s.handle, s.created_at, s.in_stock, s.rating_avg, s.rating_count,"
            f" {PRICES} AS prices, m.score, m.n FROM (SELECT *, row_number() OVER"
            f" (ORDER BY {order}) AS n FROM m ORDER BY {order} LIMIT :limit OFFSET :offset) m"
            " JOIN commerce.product_search s ON s.product_id = m.product_id) page) AS items"
        )

    def faceted(self) -> str:
        """Hits, total and facets: the rows matching text and category once, each with a
        flag per other filter, then one aggregate per facet."""
        tests = self._attribute_tests()
        fails = " + ".join(f"(NOT {t})::int" for _, t in tests) or "0"
        failed = (
            "CASE " + " ".join(f"WHEN NOT {t} THEN {n}" for n, t in tests) + " END"
            if tests
            else "NULL::text"
        )
        flagged = (
            f"SELECT p.*, {self._price_ok()} AS price_ok, {self._stock_ok()} AS stock_ok,"
            f" {fails} AS fails, {failed} AS failed_name FROM ({self._priced(self._rows([]))}) p"
        )
        self.params |= {"facet_values": FACET_VALUES, "facet_names": FACET_NAMES}
        return (
            f"WITH flagged AS MATERIALIZED ({flagged}),"
            " hits AS (SELECT * FROM flagged WHERE price_ok AND stock_ok AND fails = 0)"
            " SELECT (SELECT count(*) FROM hits) AS total,"
            " (SELECT count(*) FROM hits WHERE stale) AS stale,"
            f" {self._page()}, {_CATEGORY_FACET}, {_AVAILABILITY_FACET}, {_PRICE_FACET},"
            f" {_ATTRIBUTE_FACET}"
        )


_CATEGORY_FACET = (
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'parent_id',"
    " c.parent_id, 'count', x.n) ORDER BY x.n DESC, c.name), '[]') FROM (SELECT cid, count(*)"
    " AS n FROM hits CROSS JOIN unnest(hits.category_ids) AS cid GROUP BY cid) x"
    " JOIN commerce.categories c ON c.id = x.cid AND c.account_id = :account"
    " AND c.store_id = :store) AS categories"
)
_AVAILABILITY_FACET = (
    "(SELECT jsonb_build_object('in_stock', count(*) FILTER (WHERE in_stock), 'out_of_stock',"
    " count(*) FILTER (WHERE NOT in_stock)) FROM flagged WHERE price_ok AND fails = 0)"
    " AS availability"
)
_PRICE_FACET = (
    "(SELECT jsonb_build_object('min', min(price), 'max', max(price)) FROM flagged"
    " WHERE stock_ok AND fails = 0) AS price_range"
)
# Each facet value of a row counts when the row passes every filter but, at most, the
# filter on this value's own attribute.
_ATTRIBUTE_FACET = (
    "(SELECT coalesce(jsonb_agg(jsonb_build_array(k, v, n) ORDER BY rank, n DESC, v), '[]')"
    " FROM (SELECT k, v, n, dense_rank() OVER (ORDER BY total DESC, k) AS rank,"
    " row_number() OVER (PARTITION BY k ORDER BY n DESC, v) AS place"
    " FROM (SELECT k, v, n, sum(n) OVER (PARTITION BY k) AS total"
    " FROM (SELECT split_part(f, E'\\x1f', 1) AS k, split_part(f, E'\\x1f', 2) AS v,"
    " count(*) AS n FROM flagged CROSS JOIN unnest(flagged.facets) AS f"
    " WHERE price_ok AND stock_ok"
    " AND (fails = 0 OR (fails = 1 AND split_part(f, E'\\x1f', 1) = failed_name))"
    " GROUP BY 1, 2) counted) totals) ranked"
    " WHERE rank <= :facet_names AND place <= :facet_values) AS attributes"
)
_COLUMNS = {
    name: JSONB for name in ("items", "categories", "availability", "price_range", "attributes")
}


class PostgresSearch:
    """:class:`~velox_commerce.search.engine.SearchEngine` on PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search(self, query: SearchQuery) -> SearchResult:
        settings = await self.session.execute(
            text(
                "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
                " set_config('pg_trgm.word_similarity_threshold', :threshold, true),"
                " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"
            ),
            {"threshold": str(FUZZY_THRESHOLD)},
        )
        trgm = bool(settings.one()[2])
        if not query.text:
            return await self._run(query, "all")
        result = await self._run(query, "fulltext")
        if result.total == 0:
            result = await self._run(query, "fuzzy", trgm=trgm)
        return result

    async def _run(self, query: SearchQuery, match: Match, *, trgm: bool = True) -> SearchResult:
        statement = _Statement(query, match, trgm=trgm)
        sql = statement.faceted() if query.facets else statement.listing()
        columns = {k: v for k, v in _COLUMNS.items() if query.facets or k == "items"}
        bound = text(sql).columns(**columns)
        row = (await self.session.execute(bound, statement.params)).mappings().one()
        items = [_hit(item, query.currencies) for item in row["items"]]
        facets = _facets(row, query.currency) if query.facets else None
        return SearchResult(
            total=row["total"], match=match, items=items, facets=facets, stale=row["stale"]
        )

    async def refresh_expired(self, account_id: str, store_id: str, limit: int) -> int:
        statement = text(
            "WITH due AS (SELECT product_id FROM commerce.product_search"
            " WHERE account_id = :account AND store_id = :store"
            " AND prices_valid_until <= now()"
            " ORDER BY prices_valid_until LIMIT :limit FOR UPDATE SKIP LOCKED)"
            " SELECT commerce.search_refresh(array_agg(product_id)), count(*) FROM due"
        ).bindparams(
            bindparam("limit", limit),
            bindparam("account", account_id),
            bindparam("store", store_id),
        )
        row = (await self.session.execute(statement)).one()
        return int(row[1])


def card_prices(prices: dict[str, list[int]], currencies: tuple[str, ...]) -> dict[str, PriceRange]:
    """``{currency: [min, max]}`` as stored, narrowed to ``currencies``."""
    return {c: PriceRange(min=prices[c][0], max=prices[c][1]) for c in currencies if c in prices}


def _hit(item: dict[str, Any], currencies: tuple[str, ...]) -> SearchHit:
    rating = item["rating_avg"]
    return SearchHit(
        id=item["id"],
        title=item["title"],
        handle=item["handle"],
        in_stock=item["in_stock"],
        rating=Rating(
            average=None if rating is None else float(rating), count=item["rating_count"]
        ),
        prices=card_prices(item["prices"], currencies),
        created_at=item["created_at"],
        score=None if item["score"] is None else round(float(item["score"]), 6),
    )


def _facets(row: Any, currency: str) -> Facets:
    names: dict[str, list[ValueCount]] = {}
    for name, value, count in row["attributes"]:
        names.setdefault(name, []).append(ValueCount(value=value, count=count))
    price = row["price_range"]
    return Facets(
        categories=[CategoryFacet.model_validate(c) for c in row["categories"]],
        attributes=[AttributeFacet(name=n, values=v) for n, v in names.items()],
        availability=AvailabilityFacet.model_validate(row["availability"]),
        price=PriceStats(currency=currency, min=price["min"], max=price["max"]),
    )
