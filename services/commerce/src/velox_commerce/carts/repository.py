"""Cart queries, and what pricing a cart needs, each in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import any_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from velox_commerce.bundles.stock import Component
from velox_commerce.db.checkout import (
    Cart,
    GiftCard,
    Promotion,
    ShippingMethod,
    ShippingZone,
    TaxRate,
)
from velox_commerce.pricelists.unit_price import unit_price_sql

__all__ = ["CartRepository", "LineRow"]


@dataclass(frozen=True, slots=True)
class LineRow:
    """A cart line with its variant, product and current price in the cart's currency."""

    line_id: str
    variant_id: str
    quantity: int
    quoted_price: int
    product_id: str
    sku: str
    title: str
    weight_grams: int
    track_inventory: bool
    inventory_policy: str
    product_status: str
    price: int | None
    category_ids: tuple[str, ...]
    # A bundle's components (empty for a plain variant): checkout takes their stock.
    components: tuple[Component, ...] = ()


def _line_price(currency: str) -> str:
    """A line's (``cl``) price in ``currency``: base, sale or price lists (those of the
    cart ``c`` customer's group ``cu`` too), the lowest."""
    return unit_price_sql(
        variant="cl.variant_id",
        quantity="cl.quantity",
        currency=currency,
        store="c.store_id",
        group="cu.group_id",
    )


_CART_CUSTOMER = """
    JOIN commerce.carts c ON c.id = cl.cart_id
    LEFT JOIN commerce.customers cu ON cu.id = c.customer_id AND cu.store_id = c.store_id
"""

# The pieces put into the SQL below are constants of the code, never input.
_LINES = text(
    f"""
    SELECT cl.id, cl.variant_id, cl.quantity, cl.unit_price, v.product_id, v.sku,
           CASE WHEN v.title = p.title THEN p.title ELSE p.title || ' - ' || v.title END,
           v.weight_grams, v.track_inventory, v.inventory_policy, p.status,
           {_line_price(":currency")},
           ARRAY(SELECT pc.category_id FROM commerce.product_categories pc
                 WHERE pc.product_id = p.id),
           (SELECT json_agg(json_build_array(bc.component_variant_id, bc.quantity,
                                             cv.track_inventory, cv.inventory_policy)
                            ORDER BY bc.component_variant_id)
            FROM commerce.bundle_components bc
            JOIN commerce.variants cv ON cv.id = bc.component_variant_id
            WHERE bc.bundle_variant_id = v.id)
    FROM commerce.cart_lines cl
    {_CART_CUSTOMER}
    JOIN commerce.variants v ON v.id = cl.variant_id
    JOIN commerce.products p ON p.id = v.product_id
    WHERE cl.cart_id = :cart
    ORDER BY cl.created_at, cl.id
    """  # noqa: S608
)
_REQUOTE = f"""
    UPDATE commerce.cart_lines cl
    SET unit_price = COALESCE({_line_price("c.currency")}, cl.unit_price)
    FROM commerce.carts c
    LEFT JOIN commerce.customers cu ON cu.id = c.customer_id AND cu.store_id = c.store_id
    WHERE c.id = cl.cart_id AND cl.cart_id = :cart
      AND c.account_id = :account AND c.store_id = :store
"""  # noqa: S608


class CartRepository:
    def __init__(self, session: AsyncSession, account_id: str, store_id: str) -> None:
        self.session = session
        self.account_id = account_id
        self.store_id = store_id

    async def cart(self, cart_id: str, *, lock: bool = False) -> Cart | None:
        query = select(Cart).where(
            Cart.id == cart_id, Cart.account_id == self.account_id, Cart.store_id == self.store_id
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def lines(self, cart_id: str, currency: str) -> list[LineRow]:
        result = await self.session.execute(_LINES, {"cart": cart_id, "currency": currency})
        lines = []
        for row in result:
            values: list[Any] = list(row)
            values[-2] = tuple(values[-2])
            values[-1] = tuple(Component(*part) for part in values[-1] or ())
            lines.append(LineRow(*values))
        return lines

    async def variant_for_cart(
        self, variant_id: str, currency: str
    ) -> tuple[str, int | None] | None:
        """(product status, price in ``currency``) of a variant of this store."""
        row = (
            await self.session.execute(
                text(
                    """
                    SELECT p.status, vp.amount FROM commerce.variants v
                    JOIN commerce.products p ON p.id = v.product_id
                    LEFT JOIN commerce.variant_prices vp
                      ON vp.variant_id = v.id AND vp.currency = :currency
                    WHERE v.id = :variant AND v.account_id = :account AND v.store_id = :store
                    """
                ),
                {
                    "variant": variant_id,
                    "currency": currency,
                    "account": self.account_id,
                    "store": self.store_id,
                },
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def promotions(self, codes: Sequence[str], now: datetime) -> list[Promotion]:
        """Active automatic promotions in their window, and the promotions of ``codes``."""
        upper = [c.upper() for c in codes]
        automatic = (
            Promotion.code.is_(None)
            & or_(Promotion.starts_at.is_(None), Promotion.starts_at <= now)
            & or_(Promotion.ends_at.is_(None), Promotion.ends_at > now)
        )
        condition = or_(automatic, func.upper(Promotion.code).in_(upper)) if upper else automatic
        rows = await self.session.scalars(
            select(Promotion).where(
                Promotion.account_id == self.account_id,
                Promotion.store_id == self.store_id,
                Promotion.active.is_(True),
                condition,
            )
        )
        return list(rows)

    async def tax_rates(self, country: str, region: str | None) -> list[TaxRate]:
        # Regions are stored upper case (US-CA is "CA"); buyers type them as they like.
        region = region.strip().upper() if region else None
        rows = await self.session.scalars(
            select(TaxRate).where(
                TaxRate.account_id == self.account_id,
                TaxRate.store_id == self.store_id,
                TaxRate.country == country,
                or_(TaxRate.region.is_(None), TaxRate.region == region),
            )
        )
        return list(rows)

    async def shipping_methods(self, country: str, currency: str) -> list[ShippingMethod]:
        rows = await self.session.scalars(
            select(ShippingMethod)
            .join(ShippingZone, ShippingZone.id == ShippingMethod.zone_id)
            .where(
                ShippingMethod.account_id == self.account_id,
                ShippingMethod.store_id == self.store_id,
                ShippingMethod.currency == currency,
                any_(ShippingZone.countries) == country,
            )
            .order_by(ShippingMethod.amount, ShippingMethod.id)
        )
        return list(rows)

    async def shipping_method(self, method_id: str) -> tuple[ShippingMethod, list[str]] | None:
        row = (
            await self.session.execute(
                select(ShippingMethod, ShippingZone.countries)
                .join(ShippingZone, ShippingZone.id == ShippingMethod.zone_id)
                .where(
                    ShippingMethod.id == method_id,
                    ShippingMethod.account_id == self.account_id,
                    ShippingMethod.store_id == self.store_id,
                )
            )
        ).first()
        return None if row is None else (row[0], list(row[1]))

    async def gift_cards(self, codes: Sequence[str], *, lock: bool = False) -> list[GiftCard]:
        if not codes:
            return []
        # Codes are stored upper case; buyers type them as they like.
        query = select(GiftCard).where(
            GiftCard.account_id == self.account_id,
            GiftCard.store_id == self.store_id,
            GiftCard.code.in_([code.upper() for code in codes]),
        )
        if lock:
            query = query.order_by(GiftCard.id).with_for_update()
        return list(await self.session.scalars(query))

    async def upsert_line(self, values: dict[str, Any]) -> None:
        await self.session.execute(
            text(
                """
                INSERT INTO commerce.cart_lines
                    (id, account_id, cart_id, variant_id, quantity, unit_price)
                VALUES (:id, :account_id, :cart_id, :variant_id, :quantity, :unit_price)
                ON CONFLICT (cart_id, variant_id) DO UPDATE
                SET quantity = commerce.cart_lines.quantity + excluded.quantity,
                    unit_price = excluded.unit_price
                """
            ),
            values,
        )

    async def requote(
        self, cart_id: str, *, line_id: str | None = None, variant_id: str | None = None
    ) -> None:
        """Set the quoted price of the cart's lines (or of one line) to their price now, so
        the buyer's own change (a quantity reaching a tier...) is not a price change."""
        params = {"cart": cart_id, "account": self.account_id, "store": self.store_id}
        only = ""
        if line_id is not None:
            only += " AND cl.id = :line"
            params["line"] = line_id
        if variant_id is not None:
            only += " AND cl.variant_id = :variant"
            params["variant"] = variant_id
        await self.session.execute(text(_REQUOTE + only), params)
