"""Reports of one store: the period, time zone and currency checked, figures from SQL.

Periods are whole days ``from``..``to`` (both inclusive) in the time zone ``tz`` (an IANA
name, UTC by default): an order counts on the day its ``placed_at`` falls on there.
Without ``to`` the period ends today, without ``from`` it starts 29 days before ``to``
(30 days); it may be at most :data:`MAX_DAYS` long.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession
from velox_shared.errors import UnprocessableContent
from velox_shared.pagination import InvalidCursor, decode_cursor, encode_cursor

from velox_commerce.db.catalog import Store
from velox_commerce.reports.repository import Period, ReportRepository, Window
from velox_commerce.reports.schemas import (
    GroupBy,
    InventoryReport,
    InventoryRow,
    InventoryTotals,
    SalesFigures,
    SalesReport,
    SalesRow,
    TopProduct,
    TopProductsReport,
)

__all__ = [
    "DEFAULT_DAYS",
    "EXPORT_MAX_ROWS",
    "MAX_DAYS",
    "Period",
    "ReportService",
    "offset_of",
    "period_of",
]

MAX_DAYS = 366  # a daily report lists every day: a (leap) year at most
DEFAULT_DAYS = 30
EXPORT_MAX_ROWS = 50_000  # CSV / XLSX rows in one download; JSON pages instead
_NO_CATEGORY = "(no category)"


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


def period_of(
    start: date | None, end: date | None, tz: str, *, today: date | None = None
) -> Period:
    """The checked period (see the module docstring); 422 for a bad zone or range."""
    if tz not in _zones():
        raise UnprocessableContent(
            f"tz: {tz!r} is not an IANA time zone (e.g. UTC, Europe/Paris).",
            extensions={"field": "tz"},
        )
    zone = ZoneInfo(tz)
    last = end or today or datetime.now(zone).date()
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise UnprocessableContent(
            f"from: the period starts ({first}) after it ends ({last}).",
            extensions={"field": "from"},
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise UnprocessableContent(
            f"The period is {(last - first).days + 1} days; at most {MAX_DAYS} are allowed.",
            extensions={"field": "from", "max_days": MAX_DAYS},
        )
    return Period(
        start=datetime.combine(first, time(), zone).astimezone(UTC),
        end=datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC),
        first_day=first,
        last_day=last,
        tz=tz,
    )


def offset_of(cursor: str | None) -> int:
    """The row offset a report cursor stands for (0 without one)."""
    if cursor is None:
        return 0
    value = decode_cursor(cursor).get("offset")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidCursor("The cursor is malformed; start again without one.")
    return value


def _window(limit: int | None, cursor: str | None) -> Window:
    """Rows to read: a page (``limit``), or everything an export may hold (None)."""
    if limit is None:
        return Window(offset=0, limit=EXPORT_MAX_ROWS + 1)
    return Window(offset=offset_of(cursor), limit=limit + 1)


def _paged(
    rows: list[dict[str, Any]], window: Window, limit: int | None
) -> tuple[list[Any], str | None]:
    """The rows of the page and the cursor of the next one (a full export has none)."""
    if limit is None:
        if len(rows) > EXPORT_MAX_ROWS:
            raise UnprocessableContent(
                f"The report has more than {EXPORT_MAX_ROWS} rows; narrow it (a shorter "
                "period, low_stock_only) or page through the JSON.",
                extensions={"max_rows": EXPORT_MAX_ROWS},
            )
        return rows, None
    if len(rows) > limit:
        return rows[:limit], encode_cursor({"offset": window.offset + limit})
    return rows, None


class ReportService:
    def __init__(self, session: AsyncSession, store: Store) -> None:
        self.store = store
        self.repo = ReportRepository(session, store)

    def _currency(self, currency: str | None) -> str:
        chosen = currency or self.store.default_currency
        if chosen not in self.store.currencies:
            raise UnprocessableContent(
                f"currency: {chosen} is not a currency of this store "
                f"({', '.join(self.store.currencies)}).",
                extensions={"field": "currency", "currencies": self.store.currencies},
            )
        return chosen

    async def sales(
        self,
        group_by: GroupBy,
        period: Period,
        currency: str | None,
        *,
        limit: int | None,
        cursor: str | None,
    ) -> SalesReport:
        """Sales rows of the period; ``limit`` None: every row (an export)."""
        chosen = self._currency(currency)
        # A daily report has at most MAX_DAYS rows: it is never paged.
        window = _window(None if group_by == "day" else limit, cursor)
        rows = await self.repo.sales(group_by, period, chosen, window)
        page, next_cursor = _paged(rows, window, None if group_by == "day" else limit)
        totals = await self.repo.totals(period, chosen)
        return SalesReport(
            currency=chosen,
            group_by=group_by,
            from_=period.first_day,
            to=period.last_day,
            tz=period.tz,
            rows=[_sales_row(group_by, row) for row in page],
            totals=SalesFigures(**totals),
            next_cursor=next_cursor,
        )

    async def top_products(
        self, period: Period, currency: str | None, *, by: Literal["units", "net"], limit: int
    ) -> TopProductsReport:
        chosen = self._currency(currency)
        rows = await self.repo.top_products(period, chosen, by=by, limit=limit)
        return TopProductsReport(
            currency=chosen,
            from_=period.first_day,
            to=period.last_day,
            tz=period.tz,
            by=by,
            rows=[
                TopProduct(rank=rank, product_id=row["key"], title=row["label"], **_figures(row))
                for rank, row in enumerate(rows, start=1)
            ],
        )

    async def inventory(
        self,
        currency: str | None,
        threshold: int | None,
        *,
        low_only: bool,
        limit: int | None,
        cursor: str | None,
    ) -> InventoryReport:
        chosen = self._currency(currency)
        window = _window(limit, cursor)
        rows, totals = await self.repo.inventory(
            chosen, threshold, low_only=low_only, window=window
        )
        page, next_cursor = _paged(rows, window, limit)
        return InventoryReport(
            currency=chosen,
            threshold=threshold,
            low_stock_only=low_only,
            rows=[InventoryRow(**row) for row in page],
            totals=InventoryTotals(**totals),
            next_cursor=next_cursor,
        )


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row[name]) for name in ("orders", "units", "gross", "refunded", "net")}


def _sales_row(group_by: GroupBy, row: dict[str, Any]) -> SalesRow:
    key = row["key"]
    if group_by == "day":
        assert isinstance(key, date)
        return SalesRow(key=key.isoformat(), label=key.isoformat(), **_figures(row))
    label = row["label"]
    return SalesRow(
        key=None if key is None else str(key),
        label=_NO_CATEGORY if key is None else str(label),
        **_figures(row),
    )
