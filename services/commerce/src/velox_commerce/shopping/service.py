"""A shopper's wishlist and recently viewed products, and product comparison.

Products are shown as the same cards search answers with (current prices in the store's
currencies, stock, rating), read from the search documents.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import PageResult

from velox_commerce.db.catalog import Store
from velox_commerce.errors import ListFull, ResourceNotFound
from velox_commerce.search.repository import CardRepository
from velox_commerce.search.schemas import ProductCard
from velox_commerce.shopping.comparison import compare, option_values
from velox_commerce.shopping.repository import (
    ProductLookup,
    RecentViewRepository,
    WishlistRepository,
)
from velox_commerce.shopping.schemas import (
    ClaimOut,
    ComparisonOut,
    RecentlyViewedItem,
    RecentlyViewedOut,
    WishlistItemOut,
)

__all__ = [
    "COMPARE_MAX",
    "COMPARE_MIN",
    "RECENT_KEPT",
    "WISHLIST_MAX",
    "ComparisonService",
    "GuestListsService",
    "RecentlyViewedService",
    "WishlistService",
]

WISHLIST_MAX = 500
RECENT_KEPT = 50
COMPARE_MIN, COMPARE_MAX = 2, 4


class _Shopping:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.products = ProductLookup(session, store)
        self.cards = CardRepository(session, store)

    async def _cards(self, product_ids: Sequence[str]) -> dict[str, ProductCard]:
        return await self.cards.cards(product_ids, tuple(self.store.currencies))

    async def _active(self, product_id: str) -> None:
        if not await self.products.active([product_id]):
            raise ResourceNotFound.of("product", product_id)


class WishlistService(_Shopping):
    def __init__(self, session: AsyncSession, store: Store) -> None:
        super().__init__(session, store)
        self.items = WishlistRepository(session, store)

    async def add(self, owner: str, product_id: str) -> WishlistItemOut:
        """Adds an active product (kept as it was when already there)."""
        await self._active(product_id)
        new = await self.items.get(owner, product_id) is None
        if new and await self.items.count(owner) >= WISHLIST_MAX:
            raise ListFull(
                f"A wishlist holds at most {WISHLIST_MAX} products; remove one first.",
                extensions={"limit": WISHLIST_MAX},
            )
        item = await self.items.add(owner, product_id)
        cards = await self._cards([product_id])
        return WishlistItemOut(
            product_id=product_id, added_at=item.added_at, product=cards.get(product_id)
        )

    async def remove(self, owner: str, product_id: str) -> None:
        if not await self.items.remove(owner, product_id):
            raise ResourceNotFound(
                f"Product {product_id!r} is not on this wishlist.",
                extensions={"resource": "wishlist item"},
            )

    async def page(
        self, owner: str, *, limit: int, cursor: str | None
    ) -> PageResult[WishlistItemOut]:
        page = await self.items.page(owner, limit=limit, cursor=cursor)
        cards = await self._cards([i.product_id for i in page.items])
        return PageResult(
            items=[
                WishlistItemOut(
                    product_id=i.product_id, added_at=i.added_at, product=cards.get(i.product_id)
                )
                for i in page.items
            ],
            next_cursor=page.next_cursor,
        )


class RecentlyViewedService(_Shopping):
    def __init__(self, session: AsyncSession, store: Store) -> None:
        super().__init__(session, store)
        self.views = RecentViewRepository(session, store)

    async def record(self, owner: str, product_id: str) -> None:
        await self._active(product_id)
        await self.views.record(owner, product_id, keep=RECENT_KEPT)

    async def latest(self, owner: str, *, limit: int, exclude: str | None) -> RecentlyViewedOut:
        views = await self.views.latest(owner, limit=limit, exclude=exclude)
        cards = await self._cards([product_id for product_id, _ in views])
        return RecentlyViewedOut(
            items=[
                RecentlyViewedItem(viewed_at=at, product=cards[product_id])
                for product_id, at in views
                if product_id in cards
            ]
        )

    async def clear(self, owner: str) -> None:
        await self.views.clear(owner)


class ComparisonService(_Shopping):
    async def compare(self, product_ids: Sequence[str]) -> ComparisonOut:
        if len(set(product_ids)) != len(product_ids):
            raise UnprocessableContent("product_ids: each product once.")
        if not COMPARE_MIN <= len(product_ids) <= COMPARE_MAX:
            raise UnprocessableContent(
                f"product_ids: compare {COMPARE_MIN} to {COMPARE_MAX} products."
            )
        products = await self.products.active(product_ids)
        cards = await self._cards(list(products))
        missing = [p for p in product_ids if p not in cards]
        if missing:
            raise ResourceNotFound(
                f"No active product {', '.join(missing)} in this store.",
                extensions={"resource": "product", "product_ids": missing},
            )
        return compare(
            [cards[p] for p in product_ids],
            {p: products[p].attributes for p in product_ids},
            {p: option_values(products[p].options) for p in product_ids},
        )


class GuestListsService(_Shopping):
    async def claim(self, guest: str, customer: str) -> ClaimOut:
        """The guest's wishlist and recent views become the customer's (merged with theirs,
        the latest kept within each list's cap)."""
        wishlist = WishlistRepository(self.session, self.store)
        views = RecentViewRepository(self.session, self.store)
        return ClaimOut(
            wishlist=await wishlist.move(guest, customer, keep=WISHLIST_MAX),
            recently_viewed=await views.move(guest, customer, keep=RECENT_KEPT),
        )
