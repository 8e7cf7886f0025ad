"""Search and category pages: checks what a storefront asks against its store, turns it
into a :class:`~velox_commerce.search.engine.SearchQuery` and pages the engine's answer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import InvalidCursor, decode_cursor, encode_cursor

from velox_commerce.db.catalog import Store
from velox_commerce.errors import ResourceNotFound
from velox_commerce.search.engine import MAX_OFFSET, SearchEngine, SearchQuery, SearchResult
from velox_commerce.search.postgres import PostgresSearch
from velox_commerce.search.repository import CardRepository
from velox_commerce.search.schemas import (
    ListingOut,
    ListingParams,
    SearchOut,
    SearchParams,
)

__all__ = ["REFRESH_BATCH", "SearchService", "parse_attributes"]

# Documents whose stored prices expired re-indexed per search that meets them.
REFRESH_BATCH = 200


def parse_attributes(filters: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``["Color:Red", "color:blue", "size:42"]`` -> ``(("color", ("red", "blue")),
    ("size", ("42",)))``: lower case, names in first-seen order, each value once."""
    grouped: dict[str, list[str]] = {}
    for item in filters:
        name, _, value = item.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if not name or not value:
            raise UnprocessableContent(
                f"attr {item!r}: give a name and a value (name:value).",
                extensions={"attr": item},
            )
        values = grouped.setdefault(name, [])
        if value not in values:
            values.append(value)
    return tuple((name, tuple(values)) for name, values in grouped.items())


def _offset(cursor: str | None, limit: int) -> int:
    if cursor is None:
        return 0
    offset = decode_cursor(cursor).get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise InvalidCursor("The cursor is malformed; start again without one.")
    if offset + limit > MAX_OFFSET:
        raise UnprocessableContent(
            f"Results page only to {MAX_OFFSET}: narrow the search instead.",
            extensions={"max_offset": MAX_OFFSET},
        )
    return offset


def _next_cursor(result: SearchResult, offset: int, limit: int) -> str | None:
    after = offset + limit
    if after >= result.total or after + limit > MAX_OFFSET:
        return None
    return encode_cursor({"o": after})


class SearchService:
    def __init__(
        self, session: AsyncSession, store: Store, engine: SearchEngine | None = None
    ) -> None:
        self.store = store
        self.engine = engine or PostgresSearch(session)
        self.cards = CardRepository(session, store)

    def _currencies(self, currencies: Sequence[str], first: str | None) -> tuple[str, ...]:
        """``currencies`` (default ``first``, else the store's default), each once, all of
        them the store's."""
        wanted = tuple(dict.fromkeys(currencies or [first or self.store.default_currency]))
        unknown = sorted({*wanted, first or wanted[0]} - set(self.store.currencies))
        if unknown:
            raise UnprocessableContent(
                f"{', '.join(unknown)}: not a currency of this store "
                f"({', '.join(self.store.currencies)}).",
                extensions={"currencies": unknown},
            )
        return wanted

    async def _check_categories(self, ids: Sequence[str]) -> tuple[str, ...]:
        wanted = tuple(dict.fromkeys(ids))
        if not wanted:
            return wanted
        found = await self.cards.categories_found(wanted)
        missing = [c for c in wanted if c not in found]
        if missing:
            raise UnprocessableContent(
                f"No category {', '.join(missing)} in this store.",
                extensions={"category": missing},
            )
        return wanted

    async def _run(self, query: SearchQuery) -> SearchResult:
        result = await self.engine.search(query)
        if result.stale:
            # Answered with live prices; store them so the next searches need not.
            await self.engine.refresh_expired(self.store.account_id, self.store.id, REFRESH_BATCH)
        return result

    async def search(self, params: SearchParams) -> SearchOut:
        currency = params.currency or self.store.default_currency
        offset = _offset(params.cursor, params.limit)
        query = SearchQuery(
            account_id=self.store.account_id,
            store_id=self.store.id,
            currency=currency,
            currencies=self._currencies(params.currencies, currency),
            text=params.q,
            categories=await self._check_categories(params.category),
            attributes=parse_attributes(params.attr),
            min_price=params.min_price,
            max_price=params.max_price,
            in_stock=params.in_stock,
            sort=params.sort,
            limit=params.limit,
            offset=offset,
            facets=params.facets,
        )
        result = await self._run(query)
        return SearchOut(
            query=params.q,
            match=result.match,
            total=result.total,
            items=result.items,
            facets=result.facets,
            next_cursor=_next_cursor(result, offset, params.limit),
        )

    async def listing(self, category_id: str, params: ListingParams) -> ListingOut:
        """A category page: its active products and its subcategories', no facets."""
        currencies = self._currencies(params.currencies, None)
        offset = _offset(params.cursor, params.limit)
        query = SearchQuery(
            account_id=self.store.account_id,
            store_id=self.store.id,
            currency=currencies[0],
            currencies=currencies,
            categories=(category_id,),
            in_stock=params.in_stock,
            sort=params.sort,
            limit=params.limit,
            offset=offset,
            facets=False,
        )
        result = await self._run(query)
        # A hit is a product of this store in the category, so only an empty page needs
        # to ask whether the category is one of this store's.
        if result.total == 0 and not await self.cards.category_exists(category_id):
            raise ResourceNotFound.of("category", category_id)
        return ListingOut(
            category_id=category_id,
            total=result.total,
            items=list(result.items),
            next_cursor=_next_cursor(result, offset, params.limit),
        )
