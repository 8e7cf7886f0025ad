"""Report queries: every figure is aggregated in SQL, filtered by account and store.

Sales count the orders of one currency whose status is ``paid``, ``partially_fulfilled``,
``fulfilled`` or ``refunded``, placed in ``[start, end)``; days are calendar days in the
period's time zone. An order's refunds are everything it gave back, see
:meth:`ReportRepository._refunded`; by product or category they are spread over the
order's lines in proportion to the line totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Numeric,
    Select,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from velox_commerce.db.aftersales import BundleComponent, OrderEdit
from velox_commerce.db.catalog import (
    Category,
    Product,
    ProductCategory,
    Store,
    Variant,
    VariantPrice,
)
from velox_commerce.db.inventory import Location, Reservation, StockLevel
from velox_commerce.db.orders import Order, OrderLine, Payment, Refund

__all__ = ["SOLD_STATUSES", "Period", "ReportRepository", "Window"]

SOLD_STATUSES = ("paid", "partially_fulfilled", "fulfilled", "refunded")
GroupBy = Literal["day", "product", "category"]


@dataclass(frozen=True)
class Period:
    """Orders placed from ``start`` (inclusive) to ``end`` (exclusive): the days
    ``first_day``..``last_day`` in the time zone ``tz``."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    tz: str


@dataclass(frozen=True)
class Window:
    """Rows ``offset``.. of a long report, at most ``limit``."""

    offset: int
    limit: int


def _sum(column: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(column), 0).cast(BigInteger)


class ReportRepository:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.session = session
        self.account_id = store.account_id
        self.store_id = store.id

    def _refunded(self) -> tuple[Any, ColumnElement[int]]:
        """What an order (``Order``) gave back, to join and to select.

        * The card part is the payments' ``amount_refunded``: Velox's refunds add theirs
          to it, and a refund made in the Stripe dashboard raises it to Stripe's own
          figure (``charge.refunded``), which counts Velox's refunds as well. So every
          card refund counts once, whoever made it.
        * The gift card part is on the refund rows (``amount - payment_amount``): a
          return's refund, a staff refund, a cancellation.
        * Less an order edit's refund: the edit lowered the order's total already (the
          gross), so what it gave back is not a refund of the sale. What an edit gives
          back to gift cards has no refund row, for the same reason.
        """
        payments = (
            select(Payment.order_id, func.sum(Payment.amount_refunded).label("refunded"))
            .where(Payment.account_id == self.account_id, Payment.store_id == self.store_id)
            .where(Payment.order_id.is_not(None))
            .group_by(Payment.order_id)
            .subquery("payment_refunds")
        )
        edit = exists().where(
            OrderEdit.order_id == Refund.order_id,
            OrderEdit.changes.op("@>")(
                func.jsonb_build_array(func.jsonb_build_object("refund_id", Refund.id))
            ),
        )
        rows = (
            select(
                _sum(Refund.amount - Refund.payment_amount - case((edit, Refund.amount), else_=0))
            )
            .where(Refund.order_id == Order.id, Refund.account_id == self.account_id)
            .scalar_subquery()
        )
        return payments, func.coalesce(payments.c.refunded, 0) + rows

    def _sold(self, period: Period, currency: str) -> Any:
        """One row per counted order: id, day (UTC), total, refunded, units."""
        payments, refunded = self._refunded()
        units = (
            select(func.sum(OrderLine.quantity))
            .where(OrderLine.order_id == Order.id)
            .scalar_subquery()
        )
        day = func.date_trunc("day", func.timezone(period.tz, Order.placed_at))
        query = (
            select(
                Order.id,
                cast(day, Date).label("day"),
                Order.total,
                refunded.label("refunded"),
                func.coalesce(units, 0).label("units"),
            )
            .outerjoin(payments, payments.c.order_id == Order.id)
            .where(
                Order.account_id == self.account_id,
                Order.store_id == self.store_id,
                Order.currency == currency,
                Order.status.in_(SOLD_STATUSES),
            )
        )
        query = query.where(Order.placed_at >= period.start, Order.placed_at < period.end)
        return query.cte("sold")

    async def totals(self, period: Period, currency: str) -> dict[str, int]:
        sold = self._sold(period, currency)
        row = (
            await self.session.execute(
                select(
                    func.count().label("orders"),
                    _sum(sold.c.units).label("units"),
                    _sum(sold.c.total).label("gross"),
                    _sum(sold.c.refunded).label("refunded"),
                )
            )
        ).one()
        return {**row._asdict(), "net": row.gross - row.refunded}

    async def sales(
        self, group_by: GroupBy, period: Period, currency: str, window: Window
    ) -> list[dict[str, Any]]:
        """Rows of key, label, orders, units, gross, refunded, net."""
        sold = self._sold(period, currency)
        query = self._by_day(sold, period) if group_by == "day" else self._by_line(sold, group_by)
        rows = await self.session.execute(query.offset(window.offset).limit(window.limit))
        return [row._asdict() for row in rows]

    def _by_day(self, sold: Any, period: Period) -> Select[Any]:
        daily = (
            select(
                sold.c.day,
                func.count().label("orders"),
                _sum(sold.c.units).label("units"),
                _sum(sold.c.total).label("gross"),
                _sum(sold.c.refunded).label("refunded"),
            )
            .group_by(sold.c.day)
            .subquery("daily")
        )
        # Every day of the period is listed, those without sales at zero.
        series = (
            func.generate_series(
                cast(literal(period.first_day), DateTime),
                cast(literal(period.last_day), DateTime),
                literal_column("interval '1 day'"),
            )
            .table_valued("value")
            .render_derived(name="days")
        )
        day = cast(series.c.value, Date)
        return (
            select(day.label("key"), *_figures(daily))
            .select_from(series.outerjoin(daily, daily.c.day == day))
            .order_by(day)
        )

    def _by_line(self, sold: Any, group_by: GroupBy) -> Select[Any]:
        share = case(
            (
                sold.c.total > 0,
                func.round(cast(OrderLine.total, Numeric) * sold.c.refunded / sold.c.total),
            ),
            else_=0,
        )
        figures = (
            func.count(sold.c.id.distinct()).label("orders"),
            _sum(OrderLine.quantity).label("units"),
            _sum(OrderLine.total).label("gross"),
            _sum(share).label("refunded"),
        )
        lines = select().select_from(sold).join(OrderLine, OrderLine.order_id == sold.c.id)
        if group_by == "product":
            label = func.coalesce(func.max(Product.title), func.max(OrderLine.title))
            query = lines.outerjoin(
                Product,
                and_(Product.id == OrderLine.product_id, Product.account_id == self.account_id),
            ).add_columns(OrderLine.product_id.label("key"), label.label("label"), *figures)
            query = query.group_by(OrderLine.product_id)
        else:
            query = (
                lines.outerjoin(ProductCategory, ProductCategory.product_id == OrderLine.product_id)
                .outerjoin(
                    Category,
                    and_(
                        Category.id == ProductCategory.category_id,
                        Category.account_id == self.account_id,
                    ),
                )
                .add_columns(Category.id.label("key"), func.max(Category.name).label("label"))
                .add_columns(*figures)
                .group_by(Category.id)
            )
        inner = query.subquery("grouped")
        net = (inner.c.gross - inner.c.refunded).label("net")
        return select(inner, net).order_by(inner.c.gross.desc(), inner.c.key)

    async def top_products(
        self, period: Period, currency: str, *, by: Literal["units", "net"], limit: int
    ) -> list[dict[str, Any]]:
        sold = self._sold(period, currency)
        grouped = self._by_line(sold, "product").subquery("products")
        order = (
            (grouped.c.units, grouped.c.net) if by == "units" else (grouped.c.net, grouped.c.units)
        )
        rows = await self.session.execute(
            select(grouped).order_by(order[0].desc(), order[1].desc(), grouped.c.key).limit(limit)
        )
        return [row._asdict() for row in rows]

    def _inventory(self, currency: str, threshold: int | None) -> Any:
        stock = (
            select(
                StockLevel.variant_id,
                func.sum(StockLevel.on_hand).label("on_hand"),
                func.sum(StockLevel.allocated).label("allocated"),
                func.max(StockLevel.low_stock_threshold).label("threshold"),
            )
            .join(Location, Location.id == StockLevel.location_id)
            .where(StockLevel.account_id == self.account_id, Location.store_id == self.store_id)
            .group_by(StockLevel.variant_id)
            .subquery("stock")
        )
        held = (
            select(Reservation.variant_id, func.sum(Reservation.quantity).label("reserved"))
            .where(Reservation.account_id == self.account_id, Reservation.expires_at > func.now())
            .group_by(Reservation.variant_id)
            .subquery("held")
        )
        on_hand = func.coalesce(stock.c.on_hand, 0)
        reserved = func.coalesce(held.c.reserved, 0)
        available = on_hand - func.coalesce(stock.c.allocated, 0) - reserved
        limit = (
            func.coalesce(stock.c.threshold, 0)
            if threshold is None
            else literal(threshold, BigInteger)
        )
        bundle = exists().where(BundleComponent.bundle_variant_id == Variant.id)
        return (
            select(
                Variant.id.label("variant_id"),
                Variant.product_id,
                Variant.sku,
                Product.title.label("product_title"),
                Variant.title.label("variant_title"),
                cast(on_hand, BigInteger).label("on_hand"),
                cast(func.coalesce(stock.c.allocated, 0), BigInteger).label("allocated"),
                cast(reserved, BigInteger).label("reserved"),
                cast(available, BigInteger).label("available"),
                VariantPrice.amount.label("unit_price"),
                cast(func.greatest(on_hand, 0) * VariantPrice.amount, BigInteger).label("value"),
                cast(limit, BigInteger).label("threshold"),
                case((Variant.track_inventory, available <= limit), else_=false()).label(
                    "low_stock"
                ),
                Product.title.label("sort_title"),
                Variant.position.label("sort_position"),
            )
            .join(Product, Product.id == Variant.product_id)
            .outerjoin(stock, stock.c.variant_id == Variant.id)
            .outerjoin(held, held.c.variant_id == Variant.id)
            .outerjoin(
                VariantPrice,
                and_(VariantPrice.variant_id == Variant.id, VariantPrice.currency == currency),
            )
            .where(
                Variant.account_id == self.account_id,
                Variant.store_id == self.store_id,
                ~bundle,
            )
            .subquery("inventory")
        )

    async def inventory(
        self, currency: str, threshold: int | None, *, low_only: bool, window: Window
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Rows per variant and their totals (variants, on_hand, value, low_stock)."""
        rows = self._inventory(currency, threshold)
        where = rows.c.low_stock.is_(true()) if low_only else true()
        found = await self.session.execute(
            select(*(c for c in rows.c if not c.name.startswith("sort_")))
            .where(where)
            .order_by(rows.c.sort_title, rows.c.product_id, rows.c.sort_position, rows.c.variant_id)
            .offset(window.offset)
            .limit(window.limit)
        )
        totals = (
            await self.session.execute(
                select(
                    func.count().label("variants"),
                    _sum(rows.c.on_hand).label("on_hand"),
                    _sum(rows.c.value).label("value"),
                    func.count().filter(rows.c.low_stock).label("low_stock"),
                ).where(where)
            )
        ).one()
        return [r._asdict() for r in found], totals._asdict()


def _figures(daily: Any) -> tuple[ColumnElement[Any], ...]:
    gross = func.coalesce(daily.c.gross, 0)
    refunded = func.coalesce(daily.c.refunded, 0)
    return (
        cast(func.coalesce(daily.c.orders, 0), BigInteger).label("orders"),
        cast(func.coalesce(daily.c.units, 0), BigInteger).label("units"),
        cast(gross, BigInteger).label("gross"),
        cast(refunded, BigInteger).label("refunded"),
        cast(gross - refunded, BigInteger).label("net"),
    )
