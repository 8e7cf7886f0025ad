"""Data access of order edits: the edit log, variants to add, the payment (gift cards go
back through :class:`velox_commerce.giftcards.repository.GiftCardRepository`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, insert, select, text
from velox_commerce.db.aftersales import OrderEdit
from velox_commerce.db.catalog import Store
from velox_commerce.db.orders import OrderLine, Payment
from velox_commerce.pricelists.unit_price import unit_price_sql
from velox_shared.repository import Repository

__all__ = ["Edits", "NewVariant"]


@dataclass(frozen=True, slots=True)
class NewVariant:
    """A variant an edit touches, with its product and what a cart line of it would cost
    now in the order's currency (None: no price in that currency)."""

    variant_id: str
    product_id: str
    sku: str
    title: str
    track_inventory: bool
    inventory_policy: str
    product_status: str
    price: int | None


# What a cart line of the variant (``v``) would cost now: the one rule of
# :mod:`velox_commerce.pricelists.unit_price` (base, live sale, the tier for the line's
# units of the price lists for everyone or for the group of the order's customer ``cu``).
_PRICE = unit_price_sql(
    variant="v.id",
    quantity="wanted.quantity",
    currency=":currency",
    store="v.store_id",
    group="cu.group_id",
)
_VARIANTS = text(
    f"""
    SELECT v.id, v.product_id, v.sku,
           CASE WHEN v.title = p.title THEN p.title ELSE p.title || ' - ' || v.title END,
           v.track_inventory, v.inventory_policy, p.status, {_PRICE}
    FROM unnest(CAST(:variants AS text[]), CAST(:quantities AS integer[]))
         AS wanted (variant_id, quantity)
    JOIN commerce.variants v ON v.id = wanted.variant_id
    JOIN commerce.products p ON p.id = v.product_id
    LEFT JOIN commerce.customers cu
      ON cu.id = CAST(:customer AS text) AND cu.store_id = v.store_id
    WHERE v.account_id = :account AND v.store_id = :store
    """  # noqa: S608 (the pieces put in are constants of the code, never input)
)


class Edits(Repository[OrderEdit]):
    model = OrderEdit

    def of_order(self, account_id: str, order_id: str) -> Select[tuple[OrderEdit]]:
        return self.query(account_id=account_id).where(OrderEdit.order_id == order_id)

    async def variants(
        self,
        store: Store,
        quantities: Mapping[str, int],
        currency: str,
        customer_id: str | None,
    ) -> dict[str, NewVariant]:
        """The store's variants among ``quantities`` (variant id -> units on the line),
        each priced for its units and the order's customer (their group now; a guest, or
        a customer since deleted, gets the prices for everyone)."""
        if not quantities:
            return {}
        ids = sorted(quantities)
        result = await self.session.execute(
            _VARIANTS,
            {
                "variants": ids,
                "quantities": [quantities[v] for v in ids],
                "currency": currency,
                "customer": customer_id,
                "account": store.account_id,
                "store": store.id,
            },
        )
        return {row[0]: NewVariant(*row) for row in result}

    async def payment(self, account_id: str, order_id: str) -> Payment | None:
        """The order's latest payment (read under the order's lock, as refunds do)."""
        return await self.session.scalar(
            select(Payment)
            .where(Payment.order_id == order_id, Payment.account_id == account_id)
            .order_by(Payment.created_at.desc())
            .limit(1)
        )

    async def delete_lines(self, account_id: str, line_ids: Sequence[str]) -> None:
        if line_ids:
            await self.session.execute(
                delete(OrderLine).where(
                    OrderLine.id.in_(list(line_ids)), OrderLine.account_id == account_id
                )
            )

    async def add_lines(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(OrderLine), list(rows))
