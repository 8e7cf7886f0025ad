"""The search engine interface: what the search service asks of an engine.

:class:`~velox_commerce.search.postgres.PostgresSearch` answers from the ``product_search``
table the database keeps current. A dedicated engine (Meilisearch, OpenSearch...) would
implement the same protocol and be fed the ids a change touches (the ones the triggers of
migration 0004 queue); the service and endpoints would not change.

Example::

    engine: SearchEngine = PostgresSearch(session)
    result = await engine.search(
        SearchQuery(account_id=..., store_id=..., currency="USD", currencies=("USD",),
                    text="red sneakers", attributes=(("size", ("42", "43")),), sort="price_asc")
    )
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from velox_commerce.search.schemas import Facets, Match, SearchHit, Sort

__all__ = ["MAX_OFFSET", "SearchEngine", "SearchQuery", "SearchResult"]

# As deep as a result list pages (Elasticsearch's default result window).
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class SearchQuery:
    """One search of one store's active products.

    Filters combine with AND; the values given for one attribute, and the categories,
    with OR. ``currency`` prices the price filter, the price sorts and the price facet;
    hits carry prices in each of ``currencies``.
    """

    account_id: str
    store_id: str
    currency: str
    currencies: tuple[str, ...]
    text: str | None = None
    categories: tuple[str, ...] = ()
    # (lower-case attribute name, accepted lower-case values)
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    sort: Sort = "relevance"
    limit: int = 24
    offset: int = 0
    facets: bool = True


@dataclass(frozen=True)
class SearchResult:
    total: int
    match: Match
    items: list[SearchHit]
    # None when the query asked for none.
    facets: Facets | None
    # Matches whose stored prices have expired (a scheduled sale started or ended since
    # they were indexed): answered with live prices, worth re-indexing.
    stale: int = 0


class SearchEngine(Protocol):
    async def search(self, query: SearchQuery) -> SearchResult:
        """The page of hits ``query`` asks for, the number of matches and the facets."""
        ...

    async def refresh_expired(self, account_id: str, store_id: str, limit: int) -> int:
        """Re-index up to ``limit`` products of the store whose stored prices expired (a
        scheduled sale started or ended); how many."""
        ...
