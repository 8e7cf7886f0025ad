"""Price list rules: a currency the store offers, a group of the same store, a window that
is not empty, tiers only for the store's variants; and a variant's scheduled sale prices.

How carts use them is :mod:`velox_commerce.pricelists.unit_price`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.contracts.commerce import ProductUpdated
from velox_shared.errors import UnprocessableContent
from velox_shared.events import publish
from velox_shared.ids import new_id
from velox_shared.pagination import (
    InvalidCursor,
    Page,
    PageResult,
    decode_cursor,
    encode_cursor,
)

from velox_commerce.db import events
from velox_commerce.db.catalog import Store, VariantPrice
from velox_commerce.db.customers import PriceList
from velox_commerce.errors import ResourceNotFound
from velox_commerce.pricelists.repository import PriceListRepository, SaleRepository
from velox_commerce.pricelists.rules import ladder_problem
from velox_commerce.pricelists.schemas import (
    PriceIn,
    PriceListCreate,
    PriceListUpdate,
    PriceOut,
    PricesSetOut,
    SaleIn,
    SaleOut,
    check_window,
)
from velox_commerce.store_rules import offered_currency

__all__ = ["PriceListService", "SaleService"]


class PriceListService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = PriceListRepository(session, store)

    async def get(self, price_list_id: str, *, lock: bool = False) -> PriceList:
        price_list = await self.repo.get(price_list_id, lock=lock)
        if price_list is None:
            raise ResourceNotFound.of("price list", price_list_id)
        return price_list

    async def page(
        self,
        *,
        currency: str | None,
        customer_group_id: str | None,
        active: bool | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[PriceList]:
        return await self.repo.filtered_page(
            currency=currency,
            customer_group_id=customer_group_id,
            active=active,
            limit=limit,
            cursor=cursor,
        )

    async def create(self, data: PriceListCreate) -> PriceList:
        offered_currency(self.store, data.currency)
        await self._check_group(data.customer_group_id)
        price_list = PriceList(
            id=new_id("pl"),
            account_id=self.store.account_id,
            store_id=self.store.id,
            **data.model_dump(),
        )
        return await self.repo.add(price_list)

    async def update(self, price_list_id: str, data: PriceListUpdate) -> PriceList:
        price_list = await self.get(price_list_id, lock=True)
        changes = data.changes()
        try:
            check_window(
                changes.get("starts_at", price_list.starts_at),
                changes.get("ends_at", price_list.ends_at),
            )
        except ValueError as exc:
            raise UnprocessableContent(str(exc)) from None
        await self._check_group(changes.get("customer_group_id"))
        for name, value in changes.items():
            setattr(price_list, name, value)
        await self.session.flush()
        return price_list

    async def delete(self, price_list_id: str) -> None:
        await self.repo.delete(await self.get(price_list_id))

    async def set_prices(self, price_list_id: str, prices: list[PriceIn]) -> PricesSetOut:
        """Set or remove (``amount`` null) each tier named; the others stay as they are.
        All or nothing: the variants' ladders as they will be are checked first."""
        price_list = await self.get(price_list_id, lock=True)
        _refuse_repeats(prices)
        wanted = sorted({p.variant_id for p in prices})
        missing = sorted(set(wanted) - await self.repo.existing_variants(wanted))
        if missing:
            raise UnprocessableContent(
                f"prices: no variant {', '.join(missing[:20])} in this store.",
                extensions={"variant_ids": missing[:100]},
            )
        ladders = await self.repo.tiers_of(price_list.id, wanted)
        for price in prices:
            ladder = ladders.setdefault(price.variant_id, {})
            if price.amount is None:
                ladder.pop(price.min_quantity, None)
            else:
                ladder[price.min_quantity] = price.amount
        _refuse_bad_ladders(ladders)
        rows: list[dict[str, Any]] = [
            {
                "price_list_id": price_list.id,
                "account_id": self.store.account_id,
                "variant_id": p.variant_id,
                "min_quantity": p.min_quantity,
                "amount": p.amount,
            }
            for p in prices
            if p.amount is not None
        ]
        await self.repo.set_prices(rows)
        gone = [(p.variant_id, p.min_quantity) for p in prices if p.amount is None]
        removed = await self.repo.remove_prices(price_list.id, gone)
        return PricesSetOut(price_list_id=price_list.id, upserted=len(rows), removed=removed)

    async def prices(
        self, price_list_id: str, *, variant_id: str | None, limit: int, cursor: str | None
    ) -> Page[PriceOut]:
        price_list = await self.get(price_list_id)
        after = _after(cursor) if cursor else None
        rows = await self.repo.prices(
            price_list.id, variant_id=variant_id, after=after, limit=limit + 1
        )
        more, rows = len(rows) > limit, rows[:limit]
        last = rows[-1] if more and rows else None
        next_cursor = (
            encode_cursor({"v": last.variant_id, "q": last.min_quantity}) if last else None
        )
        return Page(items=[PriceOut.model_validate(r) for r in rows], next_cursor=next_cursor)

    async def _check_group(self, group_id: str | None) -> None:
        if group_id is not None and not await self.repo.group_exists(group_id):
            raise UnprocessableContent(
                f"customer_group_id: no customer group {group_id} in this store.",
                extensions={"customer_group_id": group_id},
            )


def _refuse_repeats(prices: list[PriceIn]) -> None:
    counts = Counter((p.variant_id, p.min_quantity) for p in prices)
    twice = [key for key, n in counts.items() if n > 1]
    if twice:
        variant, quantity = twice[0]
        raise UnprocessableContent(
            f"prices: {variant} at min_quantity {quantity} is given more than once.",
            extensions={"variant_id": variant, "min_quantity": quantity},
        )


def _refuse_bad_ladders(ladders: dict[str, dict[int, int]]) -> None:
    """422 naming each variant whose tiers, as they would be, are not a ladder."""
    bad = [
        {"variant_id": variant, "detail": problem}
        for variant, tiers in sorted(ladders.items())
        if (problem := ladder_problem(tiers)) is not None
    ]
    if bad:
        first = bad[0]
        raise UnprocessableContent(
            f"prices: {first['variant_id']}: {first['detail']}.",
            extensions={"variants": bad[:100]},
        )


def _after(cursor: str) -> tuple[str, int]:
    """The (variant_id, min_quantity) a ``next_cursor`` of :meth:`PriceListService.prices`
    names."""
    values = decode_cursor(cursor)
    variant, quantity = values.get("v"), values.get("q")
    if not isinstance(variant, str) or not isinstance(quantity, int):
        raise InvalidCursor("The cursor is malformed; start again without one.")
    return variant, quantity


class SaleService:
    """Scheduled sale prices, kept on the variant's price of each currency. A change is
    published as ``commerce.product.updated`` (``changed``: ``sale_prices``)."""

    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.store = store
        self.repo = SaleRepository(session, store)

    async def _product(self, variant_id: str) -> str:
        product_id = await self.repo.product_of(variant_id)
        if product_id is None:
            raise ResourceNotFound.of("variant", variant_id)
        return product_id

    async def listing(self, variant_id: str) -> list[SaleOut]:
        await self._product(variant_id)
        now = datetime.now(UTC)
        return [sale_out(price, now) for price in await self.repo.prices(variant_id)]

    async def put(self, variant_id: str, data: SaleIn) -> SaleOut:
        product_id = await self._product(variant_id)
        currency = offered_currency(self.store, data.currency)
        price = await self.repo.set_sale(
            variant_id, currency, data.sale_amount, data.starts_at, data.ends_at
        )
        if price is None:
            raise UnprocessableContent(
                f"Variant {variant_id} has no {currency} price to put on sale; set one first.",
                extensions={"currency": currency},
            )
        await self._published(product_id, variant_id)
        return sale_out(price, datetime.now(UTC))

    async def delete(self, variant_id: str, currency: str | None) -> None:
        product_id = await self._product(variant_id)
        if not await self.repo.clear_sales(variant_id, currency):
            what = f"{currency} sale" if currency else "sale"
            raise ResourceNotFound(
                f"Variant {variant_id} has no {what}.", extensions={"resource": "sale"}
            )
        await self._published(product_id, variant_id)

    async def _published(self, product_id: str, variant_id: str) -> None:
        updated = ProductUpdated(
            store_id=self.store.id,
            product_id=product_id,
            variant_id=variant_id,
            changed=["sale_prices"],
        )
        await publish(self.session, events, updated, account_id=self.store.account_id)


def sale_out(price: VariantPrice, now: datetime) -> SaleOut:
    assert price.sale_amount is not None
    starts, ends = price.sale_starts_at, price.sale_ends_at
    return SaleOut(
        variant_id=price.variant_id,
        currency=price.currency,
        amount=price.amount,
        sale_amount=price.sale_amount,
        starts_at=starts,
        ends_at=ends,
        on_sale_now=(starts is None or starts <= now) and (ends is None or ends > now),
    )
