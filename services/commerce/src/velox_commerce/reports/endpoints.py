"""/v1/commerce/stores/{store_id}/reports: sales, top products, inventory.

Each answers JSON, CSV or Excel: ``format=json|csv|xlsx``, else by ``Accept`` (JSON when
neither says). Days are calendar days in ``tz`` (an IANA zone, UTC by default); amounts
are minor units of ``currency`` (the store's default currency unless given). JSON pages
long lists (``limit``, ``cursor``, ``next_cursor``); a CSV or XLSX download holds every
row (at most 50,000).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel
from velox_shared.pagination import CursorParam

from velox_commerce.deps import SessionDep, StoreDep
from velox_commerce.openapi import problems
from velox_commerce.reports.schemas import (
    GroupBy,
    InventoryReport,
    SalesReport,
    Table,
    TopProductsReport,
)
from velox_commerce.reports.service import Period, ReportService, period_of
from velox_commerce.transfer.tables import (
    CSV_MEDIA,
    XLSX_MEDIA,
    TableFormat,
    attachment,
    csv_bytes,
    negotiate,
    xlsx_bytes,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1/commerce/stores/{store_id}/reports", tags=["commerce: reports"])

From = Annotated[
    date | None,
    Query(alias="from", description="First day, inclusive (default: 29 days before `to`)."),
]
To = Annotated[date | None, Query(description="Last day, inclusive (default: today).")]
Tz = Annotated[
    str, Query(max_length=64, description="IANA time zone the days are in (default UTC).")
]
PageLimit = Annotated[
    int, Query(ge=1, le=500, description="Rows per page of the JSON answer (1-500).")
]
CurrencyQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Z]{3}$", description="One of the store's currencies (else its default)."),
]
FormatQuery = Annotated[TableFormat | None, Query(description="Else by Accept; JSON by default.")]
AcceptHeader = Annotated[str, Header(include_in_schema=False)]
_OK: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}, XLSX_MEDIA: {}}},
    **problems(400, 404, 422),
}


def _render(report: BaseModel, table: Table, kind: TableFormat, name: str) -> Response:
    if kind == "json":
        body = report.model_dump_json(by_alias=True)
        return Response(body, media_type="application/json")
    header, rows = table
    if kind == "csv":
        return Response(
            csv_bytes(header, rows), media_type=CSV_MEDIA, headers=attachment(f"{name}.csv")
        )
    data = xlsx_bytes(name, header, rows)
    return Response(data, media_type=XLSX_MEDIA, headers=attachment(f"{name}.xlsx"))


def _dated(name: str, period: Period) -> str:
    return f"{name}_{period.first_day.isoformat()}_{period.last_day.isoformat()}"


@router.get(
    "/sales",
    summary="Sales by day, product or category",
    response_model=SalesReport,
    responses=_OK,
)
async def sales_report(
    store: StoreDep,
    session: SessionDep,
    group_by: Annotated[GroupBy, Query()] = "day",
    from_: From = None,
    to: To = None,
    tz: Tz = "UTC",
    currency: CurrencyQuery = None,
    limit: PageLimit = 100,
    cursor: CursorParam = None,
    format: FormatQuery = None,
    accept: AcceptHeader = "",
) -> Response:
    """Orders, units, gross, refunded and net sales of the paid, fulfilled and refunded
    orders placed in the period (a daily report lists every day, those without sales at
    zero; by product or category it is paged in JSON)."""
    period = period_of(from_, to, tz)
    kind = negotiate(format, accept, "json")
    report = await ReportService(session, store).sales(
        group_by, period, currency, limit=limit if kind == "json" else None, cursor=cursor
    )
    return _render(report, report.table(), kind, _dated(f"sales-by-{group_by}", period))


@router.get(
    "/top-products",
    summary="Best-selling products",
    response_model=TopProductsReport,
    responses=_OK,
)
async def top_products_report(
    store: StoreDep,
    session: SessionDep,
    from_: From = None,
    to: To = None,
    tz: Tz = "UTC",
    currency: CurrencyQuery = None,
    by: Annotated[Literal["units", "net"], Query(description="Rank by.")] = "units",
    limit: Annotated[int, Query(ge=1, le=100, description="How many products (1-100).")] = 10,
    format: FormatQuery = None,
    accept: AcceptHeader = "",
) -> Response:
    """The products that sold the most units (or net sales) in the period."""
    period = period_of(from_, to, tz)
    service = ReportService(session, store)
    report = await service.top_products(period, currency, by=by, limit=limit)
    kind = negotiate(format, accept, "json")
    return _render(report, report.table(), kind, _dated("top-products", period))


@router.get(
    "/inventory",
    summary="Inventory value and low stock",
    response_model=InventoryReport,
    responses=_OK,
)
async def inventory_report(
    store: StoreDep,
    session: SessionDep,
    currency: CurrencyQuery = None,
    threshold: Annotated[
        int | None,
        Query(ge=0, le=1_000_000, description="Else each variant's low-stock threshold."),
    ] = None,
    low_stock_only: Annotated[bool, Query(description="Only variants low on stock.")] = False,
    limit: PageLimit = 100,
    cursor: CursorParam = None,
    format: FormatQuery = None,
    accept: AcceptHeader = "",
) -> Response:
    """Per variant: on hand, allocated, reserved, available, value at its regular selling
    price (no cost price is kept) and whether it is low on stock; bundles are left out
    (their stock is their components')."""
    kind = negotiate(format, accept, "json")
    report = await ReportService(session, store).inventory(
        currency,
        threshold,
        low_only=low_stock_only,
        limit=limit if kind == "json" else None,
        cursor=cursor,
    )
    name = "low-stock" if low_stock_only else "inventory"
    return _render(report, report.table(), kind, name)
